/**
 * The gallery's selection model: a set of photo ids plus the index the next shift-click extends from.
 * Ids (not indices) are kept because the list re-sorts and shrinks under the user as edits land.
 */
export interface Selection {
  readonly ids: ReadonlySet<number>;
  /** Index (in the current ordering) of the last plain or toggling click; null before any. */
  readonly anchor: number | null;
}

export const emptySelection: Selection = Object.freeze({ ids: new Set<number>(), anchor: null });

export type ClickKind = 'replace' | 'toggle' | 'range' | 'rangeAdd';

export function clickKind(mods: { shiftKey: boolean; toggleKey: boolean }): ClickKind {
  if (mods.shiftKey) return mods.toggleKey ? 'rangeAdd' : 'range';
  return mods.toggleKey ? 'toggle' : 'replace';
}

/** The inclusive index range a shift-click at `index` covers. */
export function rangeBounds(anchor: number | null, index: number): [number, number] {
  const from = anchor ?? index;
  return from <= index ? [from, index] : [index, from];
}

export interface Click {
  index: number;
  id: number;
  kind: ClickKind;
  /** For range kinds: the ids at rangeBounds(anchor, index), resolved by the caller (pages may need fetching). */
  rangeIds?: readonly number[];
}

export function applyClick(sel: Selection, click: Click): Selection {
  switch (click.kind) {
    case 'replace':
      return { ids: new Set([click.id]), anchor: click.index };
    case 'toggle': {
      const ids = new Set(sel.ids);
      if (ids.has(click.id)) ids.delete(click.id);
      else ids.add(click.id);
      return { ids, anchor: click.index };
    }
    case 'range':
    case 'rangeAdd': {
      if (sel.anchor === null) return { ids: new Set([click.id]), anchor: click.index };
      const range = click.rangeIds ?? [click.id];
      const ids = click.kind === 'rangeAdd' ? new Set([...sel.ids, ...range]) : new Set(range);
      return { ids, anchor: sel.anchor };
    }
  }
}

export function selectAll(ids: Iterable<number>): Selection {
  return { ids: new Set(ids), anchor: null };
}

/** Rubber band: the photos inside the band, added to what was selected before it started when `additive`. */
export function applyBand(before: Selection, inBand: readonly number[], additive: boolean): Selection {
  return { ids: additive ? new Set([...before.ids, ...inBand]) : new Set(inBand), anchor: before.anchor };
}

/** Keeps only ids still present (after a move, merge or refetch). Returns the same object when nothing changed. */
export function pruneSelection(sel: Selection, present: (id: number) => boolean): Selection {
  let changed = false;
  const ids = new Set<number>();
  for (const id of sel.ids) {
    if (present(id)) ids.add(id);
    else changed = true;
  }
  return changed ? { ids, anchor: sel.anchor } : sel;
}

/** What an action applies to: the selection, or the focused photo when nothing is selected. */
export function actionTargets(sel: Selection, focusedId: number | null): number[] {
  if (sel.ids.size > 0) return [...sel.ids];
  return focusedId === null ? [] : [focusedId];
}

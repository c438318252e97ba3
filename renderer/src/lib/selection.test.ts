import { describe, expect, it } from 'vitest';
import { actionTargets, applyBand, applyClick, clickKind, emptySelection, pruneSelection, rangeBounds, selectAll } from './selection.js';

const ids = (s: { ids: ReadonlySet<number> }) => [...s.ids].sort((a, b) => a - b);

describe('selection model', () => {
  it('maps modifiers to click kinds', () => {
    expect(clickKind({ shiftKey: false, toggleKey: false })).toBe('replace');
    expect(clickKind({ shiftKey: false, toggleKey: true })).toBe('toggle');
    expect(clickKind({ shiftKey: true, toggleKey: false })).toBe('range');
    expect(clickKind({ shiftKey: true, toggleKey: true })).toBe('rangeAdd');
  });

  it('replaces on plain click and toggles with ctrl/cmd', () => {
    let s = applyClick(emptySelection, { index: 3, id: 30, kind: 'replace' });
    expect(ids(s)).toEqual([30]);
    s = applyClick(s, { index: 5, id: 50, kind: 'toggle' });
    expect(ids(s)).toEqual([30, 50]);
    expect(s.anchor).toBe(5);
    s = applyClick(s, { index: 3, id: 30, kind: 'toggle' });
    expect(ids(s)).toEqual([50]);
    s = applyClick(s, { index: 9, id: 90, kind: 'replace' });
    expect(ids(s)).toEqual([90]);
  });

  it('extends a range from the anchor, keeping the anchor, in either direction', () => {
    let s = applyClick(emptySelection, { index: 4, id: 40, kind: 'replace' });
    expect(rangeBounds(s.anchor, 7)).toEqual([4, 7]);
    expect(rangeBounds(s.anchor, 1)).toEqual([1, 4]);
    s = applyClick(s, { index: 7, id: 70, kind: 'range', rangeIds: [40, 50, 60, 70] });
    expect(ids(s)).toEqual([40, 50, 60, 70]);
    expect(s.anchor).toBe(4);
    // A second shift-click replaces the range rather than growing it.
    s = applyClick(s, { index: 2, id: 20, kind: 'range', rangeIds: [20, 30, 40] });
    expect(ids(s)).toEqual([20, 30, 40]);
  });

  it('adds a range to the selection with ctrl+shift, and treats a range without anchor as a plain click', () => {
    let s = applyClick(emptySelection, { index: 0, id: 1, kind: 'range', rangeIds: [1, 2, 3] });
    expect(ids(s)).toEqual([1]);
    s = applyClick(s, { index: 10, id: 11, kind: 'toggle' });
    s = applyClick(s, { index: 12, id: 13, kind: 'rangeAdd', rangeIds: [11, 12, 13] });
    expect(ids(s)).toEqual([1, 11, 12, 13]);
  });

  it('applies a rubber band replacing or adding', () => {
    const before = selectAll([1, 2]);
    expect(ids(applyBand(before, [5, 6], false))).toEqual([5, 6]);
    expect(ids(applyBand(before, [2, 5], true))).toEqual([1, 2, 5]);
  });

  it('prunes ids that left the list and keeps identity when nothing changed', () => {
    const s = selectAll([1, 2, 3]);
    expect(pruneSelection(s, () => true)).toBe(s);
    expect(ids(pruneSelection(s, (id) => id !== 2))).toEqual([1, 3]);
  });

  it('targets the selection, else the focused photo', () => {
    expect(actionTargets(selectAll([4, 5]), 9).sort()).toEqual([4, 5]);
    expect(actionTargets(emptySelection, 9)).toEqual([9]);
    expect(actionTargets(emptySelection, null)).toEqual([]);
  });
});

/**
 * The rules for how the user's edits compose, in one place.
 *
 * A photo is "pinned" (assignments.source = 'user') only when the user put it somewhere on purpose: moving it,
 * confirming it, or saying "not this group". Reshaping groups — merge and split — carries photos along as they are:
 * a model-placed photo stays model-placed, so a later split can still separate what a merge joined and a new run can
 * still re-place it, while a photo the user pinned keeps its pin wherever its group goes.
 */
import type { EditKind } from './edits.js';

/** Whether an edit that places photos in a group pins them there. */
export const PINS_PHOTOS: Readonly<Record<EditKind, boolean>> = Object.freeze({
  move: true,
  accept: true,
  reject: true,
  merge: false,
  split: false,
  rename: false,
  hide: false,
});

/** The source a photo has after `kind` puts it in a group, given the source it had. */
export function sourceAfter(kind: EditKind, before: 'model' | 'user' | null): 'model' | 'user' {
  if (PINS_PHOTOS[kind]) return 'user';
  return before ?? 'model';
}

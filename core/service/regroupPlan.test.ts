// The re-grouping rule without a database: what a new run does to groups the user has worked on.
import { describe, expect, it } from 'vitest';
import { regroupPlan, type OldAssignment, type RegroupInput, type RegroupPredictions } from './regroupPlan.js';

/** Row i is content `h<i>`; `rows[i]` is its softmax over the k outputs (the most likely is its cluster). */
function predictions(rows: number[][]): RegroupPredictions {
  const k = rows[0]!.length;
  const cluster = rows.map((r) => r.indexOf(Math.max(...r)));
  return {
    hashes: rows.map((_, i) => `h${i}`),
    k,
    cluster: Int32Array.from(cluster),
    confidence: Float32Array.from(rows.map((r) => Math.max(...r) - 0.05)),
    probs: Float32Array.from(rows.flat()),
  };
}

const A = [0.8, 0.15, 0.05];
const B = [0.1, 0.7, 0.2];
const C = [0.05, 0.25, 0.7];

function plan(over: Partial<RegroupInput> & Pick<RegroupInput, 'assignments' | 'predictions'>) {
  return regroupPlan({ pins: new Set(), rejections: new Map(), takenNames: [], ...over });
}

/** Photo i shows content h<i> and is in group clusterIds[i]. */
function photos(clusterIds: Array<number | null>): OldAssignment[] {
  return clusterIds.map((clusterId, i) => ({ photoId: 100 + i, hash: `h${i}`, clusterId }));
}

const placementOf = (p: ReturnType<typeof plan>, photoId: number) => p.placements.find((x) => x.photoId === photoId)?.placement;

describe('regroupPlan', () => {
  it('makes a group per output of a first run, "Group 1" the largest, and puts each photo in its most likely one', () => {
    const p = plan({ assignments: photos([null, null, null, null]), predictions: predictions([B, A, B, C]) });
    expect(p.matched.size).toBe(0);
    expect(p.newGroups).toEqual([
      { output: 1, name: 'Group 1' },
      { output: 0, name: 'Group 2' },
      { output: 2, name: 'Group 3' },
    ]);
    expect(p.placements.map((x) => x.placement)).toEqual([
      { output: 1, confidence: expect.closeTo(0.65, 5) },
      { output: 0, confidence: expect.closeTo(0.75, 5) },
      { output: 1, confidence: expect.closeTo(0.65, 5) },
      { output: 2, confidence: expect.closeTo(0.65, 5) },
    ]);
    expect(p.placements.map((x) => x.row)).toEqual([0, 1, 2, 3]);
  });

  it('keeps existing groups (their ids, so names and hidden flags) for the outputs that share most photos with them', () => {
    // Group 7 (say, hidden) holds h0 and h1, group 9 (say, renamed "Boats") holds h2; the new run swaps the outputs.
    const p = plan({ assignments: photos([7, 7, 9]), predictions: predictions([B, B, A]), takenNames: ['Beach', 'Boats'] });
    expect([...p.matched].sort()).toEqual([
      [0, 9],
      [1, 7],
    ]);
    expect(p.newGroups).toEqual([]);
    expect(p.placements.map((x) => (x.placement as { output: number }).output)).toEqual([1, 1, 0]);
  });

  it('leaves pinned photos where the user put them, even when the run sees them elsewhere', () => {
    const p = plan({ assignments: photos([7, 7, 9]), predictions: predictions([A, A, A]), pins: new Set([102]) });
    expect(placementOf(p, 102)).toBe('pinned');
    expect(placementOf(p, 100)).toEqual({ output: 0, confidence: expect.closeTo(0.75, 5) });
  });

  it('still counts pinned photos when matching outputs to groups', () => {
    const p = plan({ assignments: photos([7, 7, 7]), predictions: predictions([A, A, A]), pins: new Set([100, 101, 102]) });
    expect([...p.matched]).toEqual([[0, 7]]);
    expect(p.placements.every((x) => x.placement === 'pinned')).toBe(true);
  });

  it('never puts a photo back in a group it was rejected from: it takes the next most likely group, with that probability', () => {
    const p = plan({ assignments: photos([7, 7, 8]), predictions: predictions([A, A, B]), rejections: new Map([[100, new Set([7])]]) });
    expect(p.matched.get(0)).toBe(7);
    expect(p.matched.get(1)).toBe(8);
    expect(placementOf(p, 100)).toEqual({ output: 1, confidence: expect.closeTo(0.15, 5) });
    expect(placementOf(p, 101)).toEqual({ output: 0, confidence: expect.closeTo(0.75, 5) });
  });

  it('puts a photo rejected from every group in none', () => {
    const p = plan({ assignments: photos([7, 8]), predictions: predictions([A, B]), rejections: new Map([[100, new Set([7, 8])]]) });
    expect(placementOf(p, 100)).toBeNull();
  });

  it('can put a rejected photo in a new group (a new group was never rejected)', () => {
    const p = plan({ assignments: photos([7, null, null]), predictions: predictions([A, C, C]), rejections: new Map([[100, new Set([7])]]) });
    expect(p.matched.get(0)).toBe(7);
    expect(p.newGroups).toEqual([{ output: 2, name: 'Group 1' }]);
    // Output 1 has no group (no photo's most likely), so the runner-up with a group is output 2.
    expect(placementOf(p, 100)).toEqual({ output: 2, confidence: expect.closeTo(0.05, 5) });
  });

  it('places photos new since the last run with everyone else', () => {
    const p = plan({ assignments: photos([7, 7, null]), predictions: predictions([A, A, A]) });
    expect(placementOf(p, 102)).toEqual({ output: 0, confidence: expect.closeTo(0.75, 5) });
  });

  it('gives copies of one content the same row', () => {
    const p = plan({
      assignments: [
        { photoId: 1, hash: 'h0', clusterId: null },
        { photoId: 2, hash: 'h0', clusterId: null },
      ],
      predictions: predictions([A]),
    });
    expect(p.placements.map((x) => x.row)).toEqual([0, 0]);
  });

  it('leaves out photos whose content the run did not see', () => {
    const p = plan({ assignments: [...photos([7]), { photoId: 5, hash: 'unseen', clusterId: 7 }], predictions: predictions([A]) });
    expect(p.placements.map((x) => x.photoId)).toEqual([100]);
  });

  it('names new groups around the names already in use', () => {
    const p = plan({ assignments: photos([null, null, null]), predictions: predictions([A, A, B]), takenNames: ['Group 1', 'Group 3'] });
    expect(p.newGroups).toEqual([
      { output: 0, name: 'Group 2' },
      { output: 1, name: 'Group 4' },
    ]);
  });

  it('does not match a group to an output it shares no photo with', () => {
    // Group 7's only photo is unseen by the run: nothing overlaps, so every output gets a new group.
    const p = plan({ assignments: [{ photoId: 5, hash: 'unseen', clusterId: 7 }, ...photos([null])], predictions: predictions([A]) });
    expect(p.matched.size).toBe(0);
    expect(p.newGroups).toEqual([{ output: 0, name: 'Group 1' }]);
  });
});

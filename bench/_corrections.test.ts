// The simulated user behind `bench finetune --corrections`: whom it moves, and where.
import { describe, expect, it } from 'vitest';
import { parseCorrectionAmount, simulateCorrections } from './_corrections.js';

// 3 kinds, 3 groups; each group holds 6 photos of its kind and 2 of each other kind (4 misplaced per group).
const labels: number[] = [];
const cluster: number[] = [];
for (let g = 0; g < 3; g++) {
  for (let i = 0; i < 6; i++) (labels.push(g), cluster.push(g));
  for (const other of [0, 1, 2].filter((k) => k !== g)) for (let i = 0; i < 2; i++) (labels.push(other), cluster.push(g));
}

function check(sim: ReturnType<typeof simulateCorrections>) {
  const moved = sim.guide.pinned.flatMap((p, i) => (p ? [i] : []));
  expect(moved).toHaveLength(sim.moved);
  // Every moved photo was misplaced and now sits in the group of its kind; nothing else moved.
  for (const i of moved) {
    expect(cluster[i]).not.toBe(labels[i]);
    expect(sim.partition[i]).toBe(labels[i]);
  }
  for (let i = 0; i < labels.length; i++) if (!sim.guide.pinned[i]) expect(sim.partition[i]).toBe(cluster[i]);
  return moved;
}

describe('simulateCorrections', () => {
  it('moves R misplaced photos from each group', () => {
    const moved = check(simulateCorrections(labels, cluster, { perGroup: 3 }, 'a'));
    expect(moved.map((i) => cluster[i]).sort()).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2]);
  });

  it('moves R photos in all, spread over the groups one at a time', () => {
    const four = check(simulateCorrections(labels, cluster, { total: 4 }, 'b'));
    expect(four).toHaveLength(4);
    const perGroup = [0, 1, 2].map((g) => four.filter((i) => cluster[i] === g).length).sort();
    expect(perGroup).toEqual([1, 1, 2]);
    // More than there are misplaced photos: all 12 of them, no more.
    expect(check(simulateCorrections(labels, cluster, { total: 50 }, 'c'))).toHaveLength(12);
  });

  it('reads R per group and Rt in all, and refuses anything else', () => {
    expect(parseCorrectionAmount('5')).toEqual({ perGroup: 5 });
    expect(parseCorrectionAmount('3t')).toEqual({ total: 3 });
    for (const bad of ['0', '2.5', 't', '3x', '-1', '']) expect(() => parseCorrectionAmount(bad)).toThrow(/--corrections/);
  });
});

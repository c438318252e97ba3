import { describe, expect, it } from 'vitest';
import { checkGuide, guidedK, guidedPartition, pinWeight, summariseGuide, type RunGuide } from './guidedPartition.js';

/** Unit vectors in the plane at the given angles (degrees), one row each. */
function atAngles(degrees: number[]): Float32Array {
  return Float32Array.from(degrees.flatMap((a) => [Math.cos((a * Math.PI) / 180), Math.sin((a * Math.PI) / 180)]));
}

describe('guidedPartition', () => {
  // Photos along an arc from 0° to 90°, one every 5°. The user's groups split it at 45°; the user then moved the
  // photos at 30° and 35° into the upper group by hand.
  const angles = Array.from({ length: 19 }, (_, i) => i * 5);
  const unit = atAngles(angles);
  const n = angles.length;
  const upper = (a: number) => a >= 45;
  const plain = Int32Array.from(angles, (a) => (upper(a) ? 1 : 0));

  it('moves the look-alikes of hand-placed photos with them, and never moves a hand-placed photo', () => {
    const guide: RunGuide = { rows: [...angles.keys()], slots: angles.map((a) => (upper(a) || a === 30 || a === 35 ? 1 : 0)), pinned: angles.map((a) => a === 30 || a === 35) };
    const g = guidedPartition(unit, n, 2, 2, guide, plain);
    const groupAt = (a: number) => g.partition[angles.indexOf(a)];
    expect(groupAt(30)).toBe(1);
    expect(groupAt(35)).toBe(1);
    // The unplaced photo between the two hand-placed ones and the boundary follows them ...
    expect(groupAt(40)).toBe(1);
    // ... and the arc is cut lower than the user's groups were cut: at 25°–30° rather than 40°–45°.
    expect(groupAt(25)).toBe(0);
    expect(groupAt(0)).toBe(0);
    expect(Array.from(g.known)).toEqual(angles.map((a) => (a === 30 || a === 35 ? 1 : -1)));
    expect(summariseGuide(guide, g)).toEqual({ photos: 2, groups: 1 });
  });

  it('without hand-placed photos keeps the groups where k-means started from them would', () => {
    const guide: RunGuide = { rows: [...angles.keys()], slots: angles.map((a) => (upper(a) ? 1 : 0)), pinned: angles.map(() => false) };
    const g = guidedPartition(unit, n, 2, 2, guide, plain);
    expect(Array.from(g.partition)).toEqual(Array.from(plain));
  });

  it('gives extra groups the plain partition\'s centres farthest from the user\'s groups', () => {
    // Three bunches, at 0°, 90° and 180°; the user has two groups: the first bunch, and the other two together.
    const bunches = [0, 2, -2, 90, 92, 88, 180, 178, 182];
    const u = atAngles(bunches);
    const plain3 = Int32Array.from([0, 0, 0, 1, 1, 1, 2, 2, 2]);
    const guide: RunGuide = { rows: [...bunches.keys()], slots: [0, 0, 0, 1, 1, 1, 1, 1, 1], pinned: [true, false, false, false, false, false, false, false, false] };
    const g = guidedPartition(u, bunches.length, 2, 3, guide, plain3);
    const p = Array.from(g.partition);
    expect(p.slice(0, 3)).toEqual([0, 0, 0]);
    expect(new Set(p.slice(3, 6)).size).toBe(1);
    expect(new Set(p.slice(6, 9)).size).toBe(1);
    expect(new Set([p[0], p[3], p[6]]).size).toBe(3);
  });

  it('makes at least as many groups as hold hand-placed photos, keeping those before the largest others', () => {
    const guide: RunGuide = { rows: [0, 1, 2, 3, 4], slots: [0, 0, 1, 2, 2], pinned: [false, false, true, true, false] };
    expect(guidedK(1, guide)).toBe(2);
    expect(guidedK(4, guide)).toBe(4);
    // Chosen automatically: all three of the user's groups, the one without placed photos included.
    expect(guidedK(2, guide, true)).toBe(3);
    expect(guidedK(4, guide, true)).toBe(4);
    const u = atAngles([0, 5, 60, 120, 125]);
    const g = guidedPartition(u, 5, 2, 1, guide, Int32Array.from([0, 0, 0, 0, 0]));
    // Slots 1 and 2 hold hand-placed photos: they become outputs 0 and 1; slot 0 (unpinned) is dropped.
    expect([...g.outputOfSlot]).toEqual([[1, 0], [2, 1]]);
    expect(g.partition[2]).toBe(0);
    expect(g.partition[3]).toBe(1);
  });
});

describe('checkGuide', () => {
  it('counts groups and hand-placed photos', () => {
    expect(checkGuide({ rows: [3, 0, 1], slots: [0, 1, 1], pinned: [true, false, true] }, 4)).toEqual({ groups: 2, pinned: 2, pinnedGroups: 2 });
  });

  it('refuses guides that do not fit the photos', () => {
    expect(() => checkGuide({ rows: [0, 1], slots: [0], pinned: [true, true] }, 2)).toThrow(/differ in length/);
    expect(() => checkGuide({ rows: [0, 5], slots: [0, 0], pinned: [true, true] }, 2)).toThrow(/row 5/);
    expect(() => checkGuide({ rows: [1, 1], slots: [0, 0], pinned: [true, true] }, 2)).toThrow(/twice/);
    expect(() => checkGuide({ rows: [0, 1], slots: [0, 2], pinned: [true, true] }, 2)).toThrow(/0\.\.G-1/);
    expect(() => checkGuide({ rows: [0, 1], slots: [0, -1], pinned: [true, true] }, 2)).toThrow(/slot -1/);
  });
});

describe('pinWeight', () => {
  it('counts a hand-placed photo twenty times where that leaves the other photos most of the centre', () => {
    // 400 photos, 5 placed by hand: 100 of 495 is a fifth.
    expect(pinWeight(400, 5)).toBe(20);
    // 130 photos, 5 placed by hand: twenty times would be 100 of 225; the quarter allows 125/3/5 = 8.33 each.
    expect(pinWeight(130, 5)).toBeCloseTo(125 / 3 / 5, 12);
    expect(pinWeight(10, 0)).toBe(1);
  });

  it('caps the hand-placed photos together at a quarter of a small group\'s centre, never below counting once', () => {
    // 30 photos, 2 placed by hand: 28 others → each pin counts 28/3/2 = 4.67 times, 9.3 of 37.3 = a quarter.
    const w = pinWeight(30, 2);
    expect(w).toBeCloseTo(28 / 3 / 2, 12);
    expect((2 * w) / (2 * w + 28)).toBeCloseTo(0.25, 12);
    expect(pinWeight(12, 4)).toBe(1);
    expect(pinWeight(4, 4)).toBe(1);
  });
});

// The user's groups, sent by content hash, become rows of the photos the run can use.
import { describe, expect, it } from 'vitest';
import { guideRows } from './guideRows.js';

const usable = ['h0', 'h1', 'h2', 'h3', 'h4'];

describe('guideRows', () => {
  it('gives each hash its row among the usable photos, with its slot and whether it was placed by hand', () => {
    expect(guideRows(usable, { hashes: ['h3', 'h0', 'h4'], slots: [0, 1, 0], pinned: [true, false, false] })).toEqual({ rows: [3, 0, 4], slots: [0, 1, 0], pinned: [true, false, false] });
  });

  it('leaves out photos that cannot be used, and numbers the slots again when a group loses all of its photos', () => {
    // Slot 1 had only h9 (no cached pixels): slot 2 becomes 1, so the run still sees slots 0..G-1.
    expect(guideRows(usable, { hashes: ['h1', 'h9', 'h2', 'gone'], slots: [0, 1, 2, 2], pinned: [false, true, true, false] })).toEqual({ rows: [1, 2], slots: [0, 1], pinned: [false, true] });
  });

  it('is undefined without a guide, or when none of its hand-placed photos can be used', () => {
    expect(guideRows(usable, undefined)).toBeUndefined();
    expect(guideRows(usable, { hashes: [], slots: [], pinned: [] })).toBeUndefined();
    expect(guideRows(usable, { hashes: ['h9', 'h1'], slots: [0, 1], pinned: [true, false] })).toBeUndefined();
  });

  it('refuses a malformed guide rather than learning wrong pairs from it', () => {
    expect(() => guideRows(usable, { hashes: ['h0', 'h1'], slots: [0], pinned: [true, true] })).toThrow(/2 hashes but 1 slots/);
    expect(() => guideRows(usable, { hashes: ['h0'], slots: [0], pinned: [] })).toThrow(/1 hashes but 0 pinned/);
    expect(() => guideRows(usable, { hashes: ['h0'], slots: [0], pinned: [1 as unknown as boolean] })).toThrow(/true or false/);
    expect(() => guideRows(usable, { hashes: ['h0'], slots: [-1], pinned: [true] })).toThrow(/slot/);
    expect(() => guideRows(usable, { hashes: ['h0'], slots: [0.5], pinned: [true] })).toThrow(/slot/);
    expect(() => guideRows(usable, { hashes: ['h0', 'h0'], slots: [0, 1], pinned: [true, true] })).toThrow(/twice/);
    const guide = { hashes: ['h0'], slots: [0], pinned: [true] };
    const good = { untouched: 2, untouchedDoubt: 1, foundWrong: 0, kept: 1, decidedDoubt: 0.5 };
    for (const corrections of [null, 3, { ...good, foundWrong: -1 }, { ...good, untouchedDoubt: Number.POSITIVE_INFINITY }, { ...good, kept: '1' }, { untouched: 2, untouchedDoubt: 1, foundWrong: 0, kept: 1 }]) {
      expect(() => guideRows(usable, { ...guide, corrections } as unknown as Parameters<typeof guideRows>[1])).toThrow(/corrections/);
    }
  });

  it('carries what the user found wrong since the last grouping, and nothing else sent with it', () => {
    const corrections = { untouched: 30, untouchedDoubt: 8.5, foundWrong: 4, kept: 2, decidedDoubt: 4 };
    expect(guideRows(usable, { hashes: ['h3', 'h0'], slots: [0, 1], pinned: [true, false], corrections: { ...corrections, extra: 'x' } as typeof corrections })).toEqual({ rows: [3, 0], slots: [0, 1], pinned: [true, false], corrections });
  });
});

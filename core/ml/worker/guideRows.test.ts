// The user's placements, sent by content hash, become rows of the photos the run can use.
import { describe, expect, it } from 'vitest';
import { guideRows } from './guideRows.js';

const usable = ['h0', 'h1', 'h2', 'h3', 'h4'];

describe('guideRows', () => {
  it('gives each placed hash its row among the usable photos, with its slot', () => {
    expect(guideRows(usable, { hashes: ['h3', 'h0', 'h4'], slots: [0, 1, 0] })).toEqual({ rows: [3, 0, 4], slots: [0, 1, 0] });
  });

  it('leaves out photos that cannot be used, and numbers the slots again when a group loses all of its photos', () => {
    // Slot 1 had only h9 (no cached pixels): slot 2 becomes 1, so the run still sees slots 0..G-1.
    expect(guideRows(usable, { hashes: ['h1', 'h9', 'h2', 'gone'], slots: [0, 1, 2, 2] })).toEqual({ rows: [1, 2], slots: [0, 1] });
  });

  it('is undefined without a guide, or when none of its photos can be used', () => {
    expect(guideRows(usable, undefined)).toBeUndefined();
    expect(guideRows(usable, { hashes: [], slots: [] })).toBeUndefined();
    expect(guideRows(usable, { hashes: ['h9'], slots: [0] })).toBeUndefined();
  });

  it('refuses a malformed guide rather than learning wrong pairs from it', () => {
    expect(() => guideRows(usable, { hashes: ['h0', 'h1'], slots: [0] })).toThrow(/2 hashes but 1 slots/);
    expect(() => guideRows(usable, { hashes: ['h0'], slots: [-1] })).toThrow(/slot/);
    expect(() => guideRows(usable, { hashes: ['h0'], slots: [0.5] })).toThrow(/slot/);
    expect(() => guideRows(usable, { hashes: ['h0', 'h0'], slots: [0, 1] })).toThrow(/twice/);
  });
});

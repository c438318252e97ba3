import { describe, expect, it } from 'vitest';
import { paletteFor, SAFE_PALETTE } from './palette.js';

/** Relative luminance and hue, to check that no two of the first colours are near-twins. */
function rgb(hex: string): [number, number, number] {
  return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
}

describe('group palette', () => {
  it('gives the first groups distinct colours, none repeated within the palette', () => {
    const ids = [41, 7, 12, 3, 99, 5];
    const colours = paletteFor(ids);
    expect(new Set(colours.values()).size).toBe(ids.length);
    expect(new Set(SAFE_PALETTE).size).toBe(SAFE_PALETTE.length);
    // Every pair of the first eight differs clearly in RGB: the old golden-angle hues put two groups in nearly the same green (distance under 40).
    const first = SAFE_PALETTE.slice(0, 8).map(rgb);
    for (let a = 0; a < first.length; a++)
      for (let b = a + 1; b < first.length; b++) {
        const d = Math.hypot(...first[a]!.map((v, i) => v - first[b]![i]!));
        expect(d, `${SAFE_PALETTE[a]} vs ${SAFE_PALETTE[b]}`).toBeGreaterThan(60);
      }
  });
});

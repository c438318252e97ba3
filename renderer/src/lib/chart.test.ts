import { describe, expect, it } from 'vitest';
import type { EpochStats } from '../../../core/api.js';
import { addEpoch, extent, linearScale, linePath, ticks } from './chart.js';

const stats = (epoch: number, loss: number): EpochStats => ({
  epoch,
  loss,
  pg: 0,
  pl: 0,
  pgAug: 0,
  plAug: 0,
  mi: 0,
  confidentShare: 0.5,
  graphPositives: 0,
  imagesPerSecond: 10,
});

describe('training chart maths', () => {
  it('scales linearly, including inverted ranges for SVG y', () => {
    const y = linearScale([0, 10], [100, 0]);
    expect(y(0)).toBe(100);
    expect(y(10)).toBe(0);
    expect(y(2.5)).toBe(75);
  });

  it('pads extents and survives flat or empty data', () => {
    expect(extent([1, 3])).toEqual([0.9, 3.1]);
    expect(extent([2, 2])).toEqual([1, 3]);
    expect(extent([NaN])).toEqual([0, 1]);
  });

  it('draws paths that break at non-finite values', () => {
    expect(linePath([{ x: 0, y: 1 }, { x: 1, y: 2 }])).toBe('M0.0,1.0L1.0,2.0');
    expect(linePath([{ x: 0, y: 1 }, { x: 1, y: NaN }, { x: 2, y: 3 }])).toBe('M0.0,1.0M2.0,3.0');
  });

  it('makes round ticks', () => {
    expect(ticks([0, 1], 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(ticks([3, 97], 4)).toEqual([20, 40, 60, 80]);
  });

  it('keeps one entry per epoch in order', () => {
    let h = addEpoch([], stats(2, 1));
    h = addEpoch(h, stats(1, 2));
    h = addEpoch(h, stats(2, 0.5));
    expect(h.map((s) => [s.epoch, s.loss])).toEqual([
      [1, 2],
      [2, 0.5],
    ]);
  });
});

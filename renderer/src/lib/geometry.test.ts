import { describe, expect, it } from 'vitest';
import { fitPoints, pointInPolygon, pointsInLasso, rectFromPoints } from './geometry.js';

describe('lasso and geometry', () => {
  const square = [
    { x: 0, y: 0 },
    { x: 10, y: 0 },
    { x: 10, y: 10 },
    { x: 0, y: 10 },
  ];
  // A "C" shape: its notch (x 3..10, y 3..7) is outside.
  const cShape = [
    { x: 0, y: 0 },
    { x: 10, y: 0 },
    { x: 10, y: 3 },
    { x: 3, y: 3 },
    { x: 3, y: 7 },
    { x: 10, y: 7 },
    { x: 10, y: 10 },
    { x: 0, y: 10 },
  ];

  it('tests points against convex and concave polygons', () => {
    expect(pointInPolygon({ x: 5, y: 5 }, square)).toBe(true);
    expect(pointInPolygon({ x: 15, y: 5 }, square)).toBe(false);
    expect(pointInPolygon({ x: 1, y: 5 }, cShape)).toBe(true);
    expect(pointInPolygon({ x: 6, y: 5 }, cShape)).toBe(false);
    expect(pointInPolygon({ x: 6, y: 1 }, cShape)).toBe(true);
  });

  it('selects the points inside a lasso', () => {
    const xs = [1, 6, 6, 20, 9];
    const ys = [5, 5, 1, 5, 9];
    expect(pointsInLasso(xs, ys, cShape)).toEqual([0, 2, 4]);
    expect(pointsInLasso(xs, ys, square.slice(0, 2))).toEqual([]);
  });

  it('normalises a dragged rectangle', () => {
    expect(rectFromPoints({ x: 10, y: 5 }, { x: 2, y: 9 })).toEqual({ x: 2, y: 5, width: 8, height: 4 });
  });

  it('fits coordinates into a padded box keeping the aspect ratio', () => {
    const { xs, ys } = fitPoints(new Float32Array([0, 0, 2, 1, 1, 0.5]), 220, 220, 10);
    expect([...xs]).toEqual([10, 210, 110]);
    // Height span 1 vs width span 2: scale 100, centred vertically.
    expect([...ys]).toEqual([60, 160, 110]);
  });
});

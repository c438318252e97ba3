import { describe, expect, it } from 'vitest';
import { cellOrigin, gridGeometry, indicesInRect, pagesForRange, rowCount } from './gridLayout.js';

describe('grid layout', () => {
  it('fits as many columns of at least the minimum size as the width allows', () => {
    const g = gridGeometry(999, 160, 8);
    expect(g.columns).toBe(5); // six columns need 6·160 + 5·8 = 1000 px
    expect(g.cell * g.columns + g.gap * (g.columns - 1)).toBeLessThanOrEqual(999);
    expect(g.cell).toBeGreaterThanOrEqual(160);
    expect(gridGeometry(100, 160, 8).columns).toBe(1);
    expect(gridGeometry(1000, 160, 8).columns).toBe(6);
  });

  it('counts rows and places cells', () => {
    expect(rowCount(0, 4)).toBe(0);
    expect(rowCount(9, 4)).toBe(3);
    const g = { columns: 4, cell: 100, gap: 10, rowHeight: 110 };
    expect(cellOrigin(5, g)).toEqual({ x: 110, y: 110 });
  });

  it('hit-tests a rubber band against cells, ignoring the gaps between them', () => {
    const g = { columns: 4, cell: 100, gap: 10, rowHeight: 110 };
    // Covers the right part of cell 0 and the left part of cell 1, in the first row only.
    expect(indicesInRect({ x: 50, y: 10, width: 70, height: 20 }, g, 10)).toEqual([0, 1]);
    // Sits entirely in the vertical gap between columns 0 and 1.
    expect(indicesInRect({ x: 101, y: 0, width: 8, height: 300 }, g, 10)).toEqual([]);
    // Sits in the horizontal gap between rows.
    expect(indicesInRect({ x: 0, y: 101, width: 400, height: 8 }, g, 10)).toEqual([]);
    // Spans rows 1–2, columns 2–3; the last row has only items 8, 9.
    expect(indicesInRect({ x: 230, y: 150, width: 200, height: 150 }, g, 10)).toEqual([6, 7]);
    expect(indicesInRect({ x: 0, y: 150, width: 430, height: 150 }, g, 10)).toEqual([4, 5, 6, 7, 8, 9]);
    expect(indicesInRect({ x: 0, y: 0, width: 10, height: 10 }, g, 0)).toEqual([]);
  });

  it('lists the pages covering a range', () => {
    expect(pagesForRange(0, 0, 100)).toEqual([0]);
    expect(pagesForRange(95, 205, 100)).toEqual([0, 1, 2]);
    expect(pagesForRange(200, 199, 100)).toEqual([]);
  });
});

/** Geometry of the virtualized photo grid, shared by rendering, rubber-band hit-testing and keyboard paging. */
export interface GridGeometry {
  columns: number;
  /** Width and height of one square cell. */
  cell: number;
  gap: number;
  /** Distance from one row's top to the next row's top. */
  rowHeight: number;
}

export function gridGeometry(width: number, minCell: number, gap: number): GridGeometry {
  const usable = Math.max(minCell, width);
  const columns = Math.max(1, Math.floor((usable + gap) / (minCell + gap)));
  const cell = Math.floor((usable - gap * (columns - 1)) / columns);
  return { columns, cell, gap, rowHeight: cell + gap };
}

export function rowCount(total: number, columns: number): number {
  return total <= 0 ? 0 : Math.ceil(total / Math.max(1, columns));
}

/** Top-left corner of item `index` in content coordinates. */
export function cellOrigin(index: number, g: GridGeometry): { x: number; y: number } {
  const row = Math.floor(index / g.columns);
  const col = index % g.columns;
  return { x: col * (g.cell + g.gap), y: row * g.rowHeight };
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Every item index whose cell intersects `rect` (content coordinates), ascending. Pure geometry: no DOM needed. */
export function indicesInRect(rect: Rect, g: GridGeometry, total: number): number[] {
  if (total <= 0 || rect.width < 0 || rect.height < 0) return [];
  const pitch = g.cell + g.gap;
  const x0 = rect.x;
  const x1 = rect.x + rect.width;
  const y0 = rect.y;
  const y1 = rect.y + rect.height;
  const firstRow = Math.max(0, Math.floor(y0 / g.rowHeight));
  const lastRow = Math.min(rowCount(total, g.columns) - 1, Math.floor(y1 / g.rowHeight));
  const firstCol = Math.max(0, Math.floor(x0 / pitch));
  const lastCol = Math.min(g.columns - 1, Math.floor(x1 / pitch));
  const out: number[] = [];
  for (let r = firstRow; r <= lastRow; r++) {
    const top = r * g.rowHeight;
    if (top > y1 || top + g.cell < y0) continue; // the band lies in the gap below this row
    for (let c = firstCol; c <= lastCol; c++) {
      const left = c * pitch;
      if (left > x1 || left + g.cell < x0) continue;
      const i = r * g.columns + c;
      if (i < total) out.push(i);
    }
  }
  return out;
}

/** Page numbers (of `pageSize` items) covering items first..last inclusive. */
export function pagesForRange(first: number, last: number, pageSize: number): number[] {
  if (last < first || last < 0) return [];
  const a = Math.floor(Math.max(0, first) / pageSize);
  const b = Math.floor(last / pageSize);
  const out: number[] = [];
  for (let p = a; p <= b; p++) out.push(p);
  return out;
}

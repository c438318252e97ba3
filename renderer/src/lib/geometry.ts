import type { Rect } from './gridLayout.js';

export interface Point {
  x: number;
  y: number;
}

export function rectFromPoints(a: Point, b: Point): Rect {
  return { x: Math.min(a.x, b.x), y: Math.min(a.y, b.y), width: Math.abs(a.x - b.x), height: Math.abs(a.y - b.y) };
}

/** Even-odd ray casting; points exactly on an edge may fall either way, which a lasso does not mind. */
export function pointInPolygon(p: Point, polygon: readonly Point[]): boolean {
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const a = polygon[i]!;
    const b = polygon[j]!;
    if (a.y > p.y !== b.y > p.y && p.x < ((b.x - a.x) * (p.y - a.y)) / (b.y - a.y) + a.x) inside = !inside;
  }
  return inside;
}

/** Indices of the points (xs[i], ys[i]) inside the lasso polygon; a bounding-box test skips most of them cheaply. */
export function pointsInLasso(xs: ArrayLike<number>, ys: ArrayLike<number>, polygon: readonly Point[]): number[] {
  if (polygon.length < 3) return [];
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const p of polygon) {
    minX = Math.min(minX, p.x);
    maxX = Math.max(maxX, p.x);
    minY = Math.min(minY, p.y);
    maxY = Math.max(maxY, p.y);
  }
  const out: number[] = [];
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    const y = ys[i]!;
    if (x < minX || x > maxX || y < minY || y > maxY) continue;
    if (pointInPolygon({ x, y }, polygon)) out.push(i);
  }
  return out;
}

/** Maps 2-D coordinates into a box of width × height with `pad` pixels of margin, keeping the aspect ratio. */
export function fitPoints(coords: Float32Array, width: number, height: number, pad: number): { xs: Float32Array; ys: Float32Array } {
  const n = coords.length / 2;
  const xs = new Float32Array(n);
  const ys = new Float32Array(n);
  if (n === 0) return { xs, ys };
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = coords[2 * i]!;
    const y = coords[2 * i + 1]!;
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  const spanX = maxX - minX || 1;
  const spanY = maxY - minY || 1;
  const scale = Math.min((width - 2 * pad) / spanX, (height - 2 * pad) / spanY);
  const offX = (width - spanX * scale) / 2;
  const offY = (height - spanY * scale) / 2;
  for (let i = 0; i < n; i++) {
    xs[i] = offX + (coords[2 * i]! - minX) * scale;
    ys[i] = offY + (coords[2 * i + 1]! - minY) * scale;
  }
  return { xs, ys };
}

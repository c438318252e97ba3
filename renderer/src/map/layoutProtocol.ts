/** Messages between the map view and the UMAP worker. */
export interface LayoutRequest {
  vectors: Float32Array;
  n: number;
  dim: number;
  seed: number;
}

export type LayoutMessage =
  | { type: 'progress'; done: number; total: number }
  | { type: 'done'; coords: Float32Array }
  | { type: 'error'; message: string };

/** UMAP's neighbourhood size for n points: 15 as usual, fewer for tiny libraries. */
export function neighboursFor(n: number): number {
  return Math.max(2, Math.min(15, n - 1));
}

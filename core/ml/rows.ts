/** The rows `rows` (in that order) of a row-major matrix with `d` columns, as a new matrix. */
export function selectRows(data: Float32Array, d: number, rows: readonly number[]): Float32Array {
  const out = new Float32Array(rows.length * d);
  rows.forEach((r, i) => out.set(data.subarray(r * d, (r + 1) * d), i * d));
  return out;
}

/** Float32 vectors as SQLite BLOBs: little-endian, the layout every platform we ship on uses natively. */
export function encodeFloat32(v: Float32Array): Buffer {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

export function decodeFloat32(blob: Uint8Array): Float32Array {
  // Copy: SQLite's buffer may not be 4-byte aligned, and the caller may keep the vector.
  const copy = new Uint8Array(blob.byteLength);
  copy.set(blob);
  return new Float32Array(copy.buffer, 0, blob.byteLength >>> 2);
}

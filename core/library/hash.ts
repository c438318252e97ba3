import crypto from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';

const CHUNK = 1 << 20;
/** Chunks are reused: faulting in a fresh megabyte for every file costs more CPU than hashing it. */
const spare: Buffer[] = [];

/** Streams the whole file through sha256 with positional reads (memory stays at one 1 MiB chunk per hash). */
export async function sha256OfHandle(handle: FileHandle): Promise<string> {
  const hash = crypto.createHash('sha256');
  const buf = spare.pop() ?? Buffer.allocUnsafe(CHUNK);
  try {
    let position = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buf, 0, CHUNK, position);
      if (bytesRead === 0) break;
      hash.update(buf.subarray(0, bytesRead));
      position += bytesRead;
    }
  } finally {
    if (spare.length < 8) spare.push(buf);
  }
  return hash.digest('hex');
}

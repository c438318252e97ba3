import crypto from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';

const CHUNK = 1 << 20;

/** Streams the whole file through sha256 with positional reads (memory stays at one 1 MiB chunk). */
export async function sha256OfHandle(handle: FileHandle): Promise<string> {
  const hash = crypto.createHash('sha256');
  const buf = Buffer.allocUnsafe(CHUNK);
  let position = 0;
  for (;;) {
    const { bytesRead } = await handle.read(buf, 0, CHUNK, position);
    if (bytesRead === 0) break;
    hash.update(buf.subarray(0, bytesRead));
    position += bytesRead;
  }
  return hash.digest('hex');
}

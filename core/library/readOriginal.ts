/**
 * Reads an original for display (a preview), on a path the last scan found to be a good photo — but what is there
 * now may have changed: a pipe that never answers, a device that never ends, a file grown far beyond what was scanned.
 * So: open without blocking, look at what was opened (not at the path again), and read no more than was scanned.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';

/** The original is there but is not what the scan recorded; `code` says how. */
export class OriginalChangedError extends Error {
  override name = 'OriginalChangedError';
  constructor(
    readonly code: 'not-a-file' | 'size-changed' | 'too-large',
    message: string,
  ) {
    super(message);
  }
}

export interface ReadOriginalOptions {
  /** The size the last scan recorded; a file of another size has changed since and is not read. */
  expectedSize: number;
  /** Larger files are refused before any byte is read. */
  maxBytes: number;
  /** How to open the file: fs.promises.open (tests stand in a disk that does not answer). */
  open?: (file: string | Buffer, flags: number) => Promise<fsp.FileHandle>;
}

// O_NONBLOCK: opening a FIFO for reading otherwise waits for a writer, holding one of libuv's four threads (and
// with them every other file operation of the process) until one comes. Not on Windows, which has no FIFOs to fear.
const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0) | (fs.constants.O_NOCTTY ?? 0);

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(bytes < 10e6 ? 1 : 0)} MB`;
}

/** The whole original, or OriginalChangedError / the fs error (ENOENT, EACCES, …) that stopped it. */
export async function readOriginal(file: string | Buffer, opts: ReadOriginalOptions): Promise<Buffer> {
  const handle = await (opts.open ?? fsp.open)(file, OPEN_FLAGS);
  try {
    // fstat of what was opened: checking the path first and opening after would leave a gap to swap the file in.
    const st = await handle.stat();
    if (!st.isFile()) throw new OriginalChangedError('not-a-file', 'it is no longer a regular file (a pipe, device or socket is there now)');
    if (st.size > opts.maxBytes) throw new OriginalChangedError('too-large', `it is ${mb(st.size)}, above the ${mb(opts.maxBytes)} limit for showing a photo`);
    if (st.size !== opts.expectedSize) {
      throw new OriginalChangedError('size-changed', `it changed since the last scan (${mb(opts.expectedSize)} then, ${mb(st.size)} now)`);
    }
    const buf = Buffer.allocUnsafe(st.size);
    let off = 0;
    while (off < st.size) {
      const { bytesRead } = await handle.read(buf, off, st.size - off, off);
      if (bytesRead === 0) throw new OriginalChangedError('size-changed', 'it got shorter while it was being read');
      off += bytesRead;
    }
    return buf;
  } finally {
    await handle.close();
  }
}

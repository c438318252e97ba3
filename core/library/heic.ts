// HEIC/HEIF with HEVC compression: sharp's prebuilt libvips has no HEVC decoder (patent licensing), so these go to
// heic-decode (libheif compiled to WebAssembly). Its decode is synchronous and takes ~1 s for 12 MP, so it runs in
// worker threads: the scan's event loop stays responsive and several HEICs decode in parallel.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export interface RgbaImage {
  width: number;
  height: number;
  /** RGBA, 4 bytes per pixel; libheif has already applied the container's rotation and mirroring. */
  data: Buffer;
}

// An eval'd CommonJS worker needs no separate file on disk, so it works the same under tsx, tsc output and a bundle.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const decode = require(workerData.heicDecode);
parentPort.on('message', async ({ id, bytes }) => {
  try {
    const img = await decode({ buffer: new Uint8Array(bytes) });
    const data = img.data;
    parentPort.postMessage({ id, width: img.width, height: img.height, data: data.buffer, offset: data.byteOffset, length: data.length }, [data.buffer]);
  } catch (err) {
    parentPort.postMessage({ id, error: String((err && err.message) || err) });
  }
});
`;

interface Slot {
  worker: Worker;
  busy: number;
}

interface Pending {
  slot: Slot;
  resolve: (img: RgbaImage) => void;
  reject: (err: Error) => void;
}

interface Reply {
  id: number;
  error?: string;
  width?: number;
  height?: number;
  data?: ArrayBuffer;
  offset?: number;
  length?: number;
}

/** A fixed set of decoder threads, started on first use; `close()` ends them. */
export class HeicDecoderPool {
  private workers: Slot[] = [];
  private pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(private readonly size: number) {}

  decode(file: Buffer): Promise<RgbaImage> {
    const slot = this.pickWorker();
    const id = this.nextId++;
    // A worker with work keeps the process alive until the answer comes; an idle one does not.
    if (slot.busy++ === 0) slot.worker.ref();
    const done = () => {
      if (--slot.busy === 0) slot.worker.unref();
    };
    return new Promise<RgbaImage>((resolve, reject) => {
      this.pending.set(id, {
        slot,
        resolve: (img) => {
          done();
          resolve(img);
        },
        reject: (err) => {
          done();
          reject(err);
        },
      });
      // Copy into a buffer of its own so the transfer cannot detach memory shared with Node's buffer pool.
      const bytes = new Uint8Array(file).buffer;
      slot.worker.postMessage({ id, bytes }, [bytes]);
    });
  }

  async close(): Promise<void> {
    const workers = this.workers;
    this.workers = [];
    await Promise.all(workers.map((w) => w.worker.terminate()));
  }

  private pickWorker(): Slot {
    const idle = this.workers.find((w) => w.busy === 0);
    if (idle) return idle;
    if (this.workers.length < this.size) {
      const heicDecode = createRequire(import.meta.url).resolve('heic-decode');
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { heicDecode } });
      worker.unref();
      const slot = { worker, busy: 0 };
      worker.on('message', (msg: Reply) => this.settle(msg));
      worker.on('error', (err) => this.fail(slot, err));
      this.workers.push(slot);
      return slot;
    }
    return this.workers.reduce((a, b) => (b.busy < a.busy ? b : a));
  }

  private settle(msg: Reply): void {
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    if (msg.error !== undefined || !msg.data) p.reject(new Error(msg.error ?? 'HEIC decoder returned no image'));
    else p.resolve({ width: msg.width!, height: msg.height!, data: Buffer.from(msg.data, msg.offset, msg.length) });
  }

  /** A worker that crashed (e.g. out of memory in WebAssembly) fails its own jobs and is replaced on next use. */
  private fail(slot: Slot, err: Error): void {
    this.workers = this.workers.filter((w) => w !== slot);
    for (const [id, p] of this.pending) {
      if (p.slot !== slot) continue;
      this.pending.delete(id);
      p.reject(new Error(`HEIC decoder failed: ${err.message}`));
    }
  }
}

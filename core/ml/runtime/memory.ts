import os from 'node:os';
import { tf } from './tf.js';

/**
 * Memory of the processor backends. The wasm backend keeps every tensor in one WebAssembly memory per thread, which
 * grows as needed up to 4 GiB (wasm32) and never shrinks; the cpu backend keeps tensors in JavaScript buffers.
 */

/** The most a wasm backend's memory can grow to (tfjs-backend-wasm's getHeapMax). */
export const WASM_HEAP_LIMIT_BYTES = 4294901760;

/** The parts of the Emscripten module behind tfjs-backend-wasm used here. */
interface WasmModule {
  _malloc: (bytes: number) => number;
  asm?: { malloc?: (bytes: number) => number };
  HEAPU8: Uint8Array;
}

/** A computation needed more memory than the backend could get (a failed allocation, caught before any use). */
export class OutOfMemoryError extends Error {
  constructor(
    message: string,
    /** What was asked for and what there was, for logs. */
    readonly details: string,
  ) {
    super(message);
    this.name = 'OutOfMemoryError';
  }
}

const guarded = new WeakSet<object>();

function wasmModule(): WasmModule | undefined {
  const backend = tf.findBackend('wasm') as unknown as { wasm?: WasmModule } | null;
  return backend?.wasm ?? undefined;
}

/** Bytes the wasm backend's memory has grown to in this thread (its high-water mark), or undefined without one. */
export function wasmHeapBytes(): number | undefined {
  return wasmModule()?.HEAPU8.buffer.byteLength;
}

/**
 * Makes the wasm backend's tensor allocations throw an OutOfMemoryError when its memory cannot grow. The backend
 * itself does not check: a failed `malloc` returns address 0, and the tensor is then written over the start of the
 * memory (corrupting it) until something traps with "memory access out of bounds". Throwing before the tensor is
 * registered leaves the backend usable. Idempotent.
 */
export function guardWasmAllocations(): void {
  const module = wasmModule();
  if (!module || guarded.has(module)) return;
  // The module's own `_malloc` is a stub that replaces itself with the raw export on first use; wrap the export.
  const raw = module.asm?.malloc ?? module._malloc;
  const mb = (n: number): string => `${Math.round(n / 2 ** 20)} MB`;
  const fail = (bytes: number): never => {
    throw new OutOfMemoryError(
      'the processor backend ran out of memory',
      `wasm malloc of ${mb(bytes)} failed; the wasm memory is at ${mb(module.HEAPU8.buffer.byteLength)} of at most ${mb(WASM_HEAP_LIMIT_BYTES)}`,
    );
  };
  module._malloc = (bytes: number): number => {
    // A size of 4 GiB or more would wrap around to a small one when passed to wasm's 32-bit malloc.
    if (bytes > WASM_HEAP_LIMIT_BYTES) return fail(bytes);
    const at = raw(bytes);
    if (at === 0 && bytes > 0) return fail(bytes);
    return at;
  };
  guarded.add(module);
}

/**
 * Whether `err` is a computation running out of memory: a guarded wasm allocation, the wasm runtime aborting
 * (an allocation inside the module failing) or trapping after an unguarded one, or JavaScript failing to allocate
 * a buffer (the cpu backend).
 */
export function isOutOfMemory(err: unknown): boolean {
  if (err instanceof OutOfMemoryError) return true;
  if (!(err instanceof Error)) return false;
  if ((err as { outOfMemory?: unknown }).outOfMemory === true) return true;
  // WebAssembly.RuntimeError (no DOM typings here): an abort, or a trap after an unchecked allocation.
  if (err.name === 'RuntimeError') return /Aborted\(|memory access out of bounds|out of memory/i.test(err.message);
  if (err instanceof RangeError) return /allocation failed|Array buffer allocation|Invalid typed array length|out of memory/i.test(err.message);
  return false;
}

/**
 * Memory this process may plan to use: `PHOTOCLUSTER_MEMORY_MB` when set, else three quarters of the machine's (or
 * of the container's limit, when there is one), leaving room for the system and the app's other processes.
 */
export function memoryBudgetBytes(env: NodeJS.ProcessEnv = process.env): number {
  const set = Number(env.PHOTOCLUSTER_MEMORY_MB);
  if (env.PHOTOCLUSTER_MEMORY_MB && Number.isFinite(set) && set > 0) return Math.floor(set * 2 ** 20);
  const total = os.totalmem();
  const constrained = typeof process.constrainedMemory === 'function' ? process.constrainedMemory() : 0;
  const limit = constrained && constrained > 0 && constrained < total ? constrained : total;
  return Math.floor(0.75 * limit);
}

import { beforeAll, describe, expect, it } from 'vitest';
import os from 'node:os';
import { tf } from './tf.js';
import { initBackend } from './backend.js';
import { isOutOfMemory, memoryBudgetBytes, OutOfMemoryError, WASM_HEAP_LIMIT_BYTES, wasmHeapBytes } from './memory.js';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('wasm memory', () => {
  it('a tensor too big for the wasm memory fails with OutOfMemoryError and leaves the backend working', () => {
    const before = tf.memory().numTensors;
    // 4.4 GB: more than a wasm memory can hold (and, unguarded, wrapped to a 105 MB block that is then overrun).
    let err: unknown;
    try {
      tf.fill([1_100_000_000], 1);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OutOfMemoryError);
    expect((err as OutOfMemoryError).details).toMatch(/wasm malloc of 4196 MB failed; the wasm memory is at \d+ MB of at most 4096 MB/);
    expect(isOutOfMemory(err)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(tf.add(tf.tensor1d([1, 2]), tf.tensor1d([3, 4])).dataSync())).toEqual([4, 6]);
  });

  it('an allocation the memory cannot grow for throws instead of returning address 0', () => {
    const module = (tf.backend() as unknown as { wasm: { _malloc(bytes: number): number; _free(at: number): void } }).wasm;
    expect(() => module._malloc(WASM_HEAP_LIMIT_BYTES - 64)).toThrow(OutOfMemoryError);
    const at = module._malloc(1024);
    expect(at).toBeGreaterThan(0);
    module._free(at);
    expect(wasmHeapBytes()).toBeLessThan(WASM_HEAP_LIMIT_BYTES);
  });

  it('recognises the ways a computation runs out of memory, and nothing else', () => {
    const runtimeError = (message: string): Error => Object.assign(new Error(message), { name: 'RuntimeError' });
    expect(isOutOfMemory(runtimeError('Aborted(). Build with -sASSERTIONS for more info.'))).toBe(true);
    expect(isOutOfMemory(runtimeError('memory access out of bounds'))).toBe(true);
    expect(isOutOfMemory(new RangeError('Array buffer allocation failed'))).toBe(true);
    expect(isOutOfMemory(Object.assign(new Error('gradient worker: …'), { outOfMemory: true }))).toBe(true);
    expect(isOutOfMemory(runtimeError('unreachable'))).toBe(false);
    expect(isOutOfMemory(new Error('memory access out of bounds'))).toBe(false);
    expect(isOutOfMemory(new RangeError('Maximum call stack size exceeded'))).toBe(false);
  });

  it('plans with three quarters of the machine, or PHOTOCLUSTER_MEMORY_MB', () => {
    expect(memoryBudgetBytes({ PHOTOCLUSTER_MEMORY_MB: '1500' })).toBe(1500 * 2 ** 20);
    expect(memoryBudgetBytes({})).toBeLessThanOrEqual(0.75 * os.totalmem());
    expect(memoryBudgetBytes({})).toBeGreaterThan(0);
    expect(memoryBudgetBytes({ PHOTOCLUSTER_MEMORY_MB: 'lots' })).toBe(memoryBudgetBytes({}));
  });
});

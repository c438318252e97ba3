import { describe, expect, it } from 'vitest';
import { firstWorkingProvider, providerCandidates } from './providers.js';

describe('onnxruntime execution providers', () => {
  it("tries the platform's GPU providers before the CPU", () => {
    expect(providerCandidates('linux', {})).toEqual(['cuda', 'cpu']);
    expect(providerCandidates('win32', {})).toEqual(['cuda', 'dml', 'cpu']);
    expect(providerCandidates('darwin', {})).toEqual(['coreml', 'cpu']);
    expect(providerCandidates('freebsd', {})).toEqual(['cpu']);
    expect(providerCandidates('linux', { PHOTOCLUSTER_ONNX_PROVIDER: 'cpu' })).toEqual(['cpu']);
    expect(() => providerCandidates('linux', { PHOTOCLUSTER_ONNX_PROVIDER: 'gpu' })).toThrow(/unknown PHOTOCLUSTER_ONNX_PROVIDER/);
  });

  it('falls back to the next provider and records why', async () => {
    const choice = await firstWorkingProvider(['cuda', 'cpu'], async (p) => {
      if (p === 'cuda') throw new Error('libcudart.so.12: cannot open shared object file\nmore');
      return `session on ${p}`;
    });
    expect(choice).toEqual({ session: 'session on cpu', provider: 'cpu', skipped: ['cuda: libcudart.so.12: cannot open shared object file'] });
    await expect(firstWorkingProvider(['cpu'], async () => Promise.reject(new Error('broken')))).rejects.toThrow(/cpu: broken/);
  });
});

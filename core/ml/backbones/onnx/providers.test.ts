import { describe, expect, it } from 'vitest';
import { firstWorkingProvider, providerCandidates, providerMissing } from './providers.js';

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

  it('skips a provider known to be missing without asking onnxruntime, and says why', async () => {
    const asked: string[] = [];
    const choice = await firstWorkingProvider(
      ['cuda', 'cpu'],
      async (p) => {
        asked.push(p);
        return `session on ${p}`;
      },
      (p) => (p === 'cuda' ? 'not installed' : null),
    );
    expect(asked).toEqual(['cpu']);
    expect(choice.skipped).toEqual(['cuda: not installed']);
  });

  it("knows onnxruntime's CUDA provider is missing when its library is not beside the binding", () => {
    const seen: string[] = [];
    const none = (file: string) => (seen.push(file), false);
    expect(providerMissing('cuda', 'linux', none)).toMatch(/CUDA support is not installed \(libonnxruntime_providers_cuda\.so\)/);
    expect(seen[0]).toMatch(/onnxruntime-node[\\/]bin[\\/]napi-v6[\\/]linux[\\/]/);
    expect(providerMissing('cuda', 'win32', none)).toMatch(/onnxruntime_providers_cuda\.dll/);
    expect(providerMissing('cuda', 'linux', () => true)).toBeNull();
    expect(providerMissing('cpu', 'linux', none)).toBeNull();
    expect(providerMissing('dml', 'win32', none)).toBeNull();
  });
});

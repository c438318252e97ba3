// What bench/gpu.sh runs on a machine with a real graphics card: one JSON line per measurement on stdout.
//  - the adapter Dawn finds;
//  - img/s of one DCCM training step (mini-batch 64, original + one augmented view) at 32 and 96 px on wasm (the
//    baseline), webgpu and tensorflow-gpu (where it loads);
//  - a from-scratch DCCM run on the 10,000 CIFAR-10 test images on the fastest GPU backend for as many epochs as
//    fit in the budget (default 300 s), with ACC/NMI/ARI (labels used for scoring only).
// Usage: tsx bench/_gpu.ts [--budget-seconds 300] [--steps 3]
import { parseArgs } from 'node:util';
import { throughput, quality } from './dccm.js';
import { initBackend, type BackendPreference } from '../core/ml/runtime/backend.js';
import { loadWebGpu } from '../core/ml/runtime/webgpuAdapter.js';

const { values } = parseArgs({ options: { 'budget-seconds': { type: 'string', default: '300' }, steps: { type: 'string', default: '3' } } });
const line = (o: Record<string, unknown>): void => void process.stdout.write(JSON.stringify(o) + '\n');
const steps = Number(values.steps);

try {
  line({ measurement: 'adapter', ...(await loadWebGpu()) });
} catch (err) {
  line({ measurement: 'adapter', error: (err as Error).message });
}

const rates: Record<string, number> = {};
for (const size of [32, 96] as const) {
  for (const backend of ['wasm', 'webgpu', 'tensorflow-gpu'] as Exclude<BackendPreference, 'auto'>[]) {
    try {
      const r = await throughput(backend, steps, 1, 0, size);
      rates[`${backend}@${size}`] = r.imagesPerSecond as number;
      line({ measurement: 'dccm-step', inputSize: size, backend, device: r.device, imagesPerSecond: r.imagesPerSecond, secondsPerStep: r.secondsPerStep, overWasm: (r.imagesPerSecond as number) / rates[`wasm@${size}`]! });
    } catch (err) {
      line({ measurement: 'dccm-step', inputSize: size, backend, error: (err as Error).message.split('\n')[0] });
    }
  }
}

// The quality run on whichever GPU backend was fastest at 32 px (webgpu where tensorflow-gpu cannot load).
const gpu = (['tensorflow-gpu', 'webgpu'] as const).filter((b) => rates[`${b}@32`] !== undefined).sort((a, b) => rates[`${b}@32`]! - rates[`${a}@32`]!)[0];
try {
  const backend = await initBackend(gpu ?? 'wasm');
  const q = await quality(1000, Number(values['budget-seconds']) / 60, 0, backend, {});
  const dccm = q.dccm as Record<string, unknown>;
  line({ measurement: 'cifar10-scratch', images: q.images, backend: backend.name, device: backend.device, budgetSeconds: q.budgetSeconds, epochs: dccm.epochsCompleted, steps: dccm.steps, acc: dccm.acc, nmi: dccm.nmi, ari: dccm.ari, kmeansOnPixels: q.kmeansRawPixels ?? null });
} catch (err) {
  line({ measurement: 'cifar10-scratch', error: (err as Error).message.split('\n')[0] });
}
process.exit(0);

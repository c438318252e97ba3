// Training throughput of the fine-tune head (img/s over timed steps) on a given backend, on synthetic feature rows
// the size of the default backbone's (the head's cost depends only on the shapes, not on the photos).
import { initBackend, type BackendPreference } from '../core/ml/runtime/backend.js';
import { tf } from '../core/ml/runtime/tf.js';
import type { Tensor } from '../core/ml/runtime/tf.js';
import { Rng } from '../core/ml/rng.js';
import { createFeatureHead } from '../core/ml/finetune/head.js';
import { recommendedFinetuneConfig } from '../core/ml/finetune/finetune.js';
import { train } from '../core/ml/training/trainer.js';
import type { ViewProvider } from '../core/ml/data/augmentedViews.js';

const EMBEDDING = 1280;
const SHALLOW: [number, number, number] = [4, 4, 96];

class RandomRows implements ViewProvider {
  readonly inputShape = [EMBEDDING + SHALLOW[0] * SHALLOW[1] * SHALLOW[2]];
  constructor(readonly count: number) {}
  async load(indices: number[]): Promise<Tensor> {
    return tf.randomUniform([indices.length, this.inputShape[0]!], 0, 1, 'float32', 1);
  }
  original(loaded: Tensor, rows: number[]): Tensor {
    return tf.gather(loaded, rows);
  }
  augmented(loaded: Tensor, rows: number[]): Tensor {
    return tf.tidy(() => tf.add(tf.gather(loaded, rows), tf.randomNormal([rows.length, this.inputShape[0]!], 0, 0.05, 'float32', 2)));
  }
}

export async function headThroughput(backendName: Exclude<BackendPreference, 'auto'>, steps = 20): Promise<Record<string, unknown>> {
  const backend = await initBackend(backendName);
  const cfg = recommendedFinetuneConfig();
  const miniBatch = cfg.train.miniBatch ?? 64;
  const head = createFeatureHead({ embeddingDim: EMBEDDING, shallowShape: SHALLOW, hidden: cfg.hidden, k: 10, seed: 1 });
  const rates: number[] = [];
  let last = 0;
  try {
    await train({
      model: head,
      views: new RandomRows(miniBatch * (steps + 2)),
      config: { ...cfg.train, epochs: 1, passes: 1, bigBatch: miniBatch * (steps + 2), miniBatch, recalibrateBatchNorm: false, finalCalibrationImages: 0, seed: new Rng(1).int(1000) },
      onEvent: (e) => {
        if (e.type === 'targets') last = performance.now();
        if (e.type === 'step') {
          rates.push(miniBatch / ((performance.now() - last) / 1000));
          last = performance.now();
        }
      },
    });
  } finally {
    head.dispose();
  }
  const timed = rates.slice(2); // the first steps compile kernels (shaders on WebGPU)
  return { backend: backend.name, device: backend.device, miniBatch, steps: timed.length, imagesPerSecond: timed.reduce((a, b) => a + b, 0) / Math.max(1, timed.length) };
}

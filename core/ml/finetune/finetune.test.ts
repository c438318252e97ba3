// runFinetune end to end on a few real CIFAR photos: which backbone passes a run pays for. Augmented views cost a
// full backbone pass per photo, so they are computed only when the head starts at random (large folders), where
// they carry the head's gain; a head started at k-means is trained with neighbours as its transformed views.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCifar } from '../../../test/cifarImages.js';
import { sharedDir } from '../../paths.js';
import { initBackend, type BackendInfo } from '../runtime/backend.js';
import { MemoryImageSource } from '../data/dataset.js';
import { MemoryFeatureCache } from './backboneFeatures.js';
import { runFinetune, startsAtKmeans, type FinetuneConfig } from './finetune.js';

const BACKBONE = 'mobilenet_v1_0.75_224';

describe('runFinetune', () => {
  let backend: BackendInfo;
  let modelsDir: string;
  let images: MemoryImageSource;
  let ids: string[];
  const previousUrl = process.env.PHOTOCLUSTER_MODELS_URL;

  beforeAll(async () => {
    backend = await initBackend('wasm');
    modelsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-finetune-'));
    process.env.PHOTOCLUSTER_MODELS_URL = path.join(sharedDir(), 'models');
    const cifar = await loadCifar(['airplane', 'frog'], 8);
    images = new MemoryImageSource(cifar.pixels, cifar.side);
    ids = cifar.labels.map((_, i) => `photo${i}`);
  });

  afterAll(() => {
    if (previousUrl === undefined) delete process.env.PHOTOCLUSTER_MODELS_URL;
    else process.env.PHOTOCLUSTER_MODELS_URL = previousUrl;
    fs.rmSync(modelsDir, { recursive: true, force: true });
  });

  const run = async (config: Partial<FinetuneConfig>) => {
    const cache = new MemoryFeatureCache();
    const result = await runFinetune({
      ids,
      images,
      pixelSource: 'cifar32',
      cache,
      backbone: BACKBONE,
      modelsDir,
      backend,
      k: 2,
      seed: 1,
      epochs: 1,
      config: { featureSize: 96, minSteps: 4, ...config },
    });
    const views = cache.presentViews(result.featureKey, ids);
    return { result, views: ids.map((id) => [...(views.get(id) ?? [])].sort()) };
  };

  it('computes no augmented views for a head that starts at k-means, and trains and groups every photo', async () => {
    const { result, views } = await run({});
    expect(startsAtKmeans({ init: 'auto', kmeansInitBelow: 5000 }, ids.length)).toBe(true);
    expect(views).toEqual(ids.map(() => [0]));
    expect(result.features.backboneImages).toBe(ids.length);
    expect(result.config.augmentedViews).toBe(0);
    expect(result.cluster).toHaveLength(ids.length);
    expect(new Set(result.cluster).size).toBe(2);
  }, 180_000);

  it('computes them where the head starts at random, or when asked to with a k-means start', async () => {
    const random = await run({ kmeansInitBelow: 8 });
    expect(startsAtKmeans({ init: 'auto', kmeansInitBelow: 8 }, ids.length)).toBe(false);
    expect(random.views).toEqual(ids.map(() => [0, 1]));
    expect(random.result.config.augmentedViews).toBe(1);

    const asked = await run({ augmentWithKmeansStart: true });
    expect(asked.views).toEqual(ids.map(() => [0, 1]));
    expect(asked.result.features.backboneImages).toBe(2 * ids.length);
  }, 240_000);
});

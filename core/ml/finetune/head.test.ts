// The fine-tune head: its ClusterModel contract, its k-means start, persistence, and that DCCM training on cached
// features of a small folder lowers its own loss and raises its confidence.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCifar } from '../../../test/cifarImages.js';
import { sharedDir } from '../../paths.js';
import { initBackend } from '../runtime/backend.js';
import { createFeatureExtractor } from '../backbones/extractor.js';
import { MemoryImageSource } from '../data/dataset.js';
import { loadModel, saveModel } from '../training/checkpoint.js';
import { predict, recalibrateBatchNorm } from '../training/inference.js';
import { train, type EpochEvent } from '../training/trainer.js';
import { tf } from '../runtime/tf.js';
import { Rng } from '../rng.js';
import { clusteringAccuracy } from '../../metrics/clustering.js';
import { ensureFeatures, featureKey, loadFeatureMatrix, MemoryFeatureCache, type FeatureMatrix } from './backboneFeatures.js';
import { l2Normalize } from '../rows.js';
import { FeatureViews } from './featureViews.js';
import { createFeatureHead, FeatureHead, initFromPartition } from './head.js';
import { nearestNeighbours } from './neighbours.js';
import { recommendedFinetuneConfig } from './finetune.js';

const BACKBONE = 'mobilenet_v1_0.75_224';
const CLASSES = ['airplane', 'frog', 'truck', 'horse'];
const PER_CLASS = 15;

describe('fine-tune head', () => {
  let dir: string;
  let matrix: FeatureMatrix;
  let labels: number[];
  let ids: string[];
  const cache = new MemoryFeatureCache();
  let key: string;
  const shallowShape: [number, number, number] = [4, 4, 96];

  beforeAll(async () => {
    await initBackend('wasm');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-head-'));
    const cifar = await loadCifar(CLASSES, PER_CLASS);
    labels = cifar.labels;
    ids = labels.map((_, i) => `photo${i}`);
    const extractor = await createFeatureExtractor(BACKBONE, { dir: path.join(sharedDir(), 'models', BACKBONE), inputSize: 96, runtime: 'tfjs' });
    try {
      key = featureKey(extractor.cacheKey, 'cifar32');
      await ensureFeatures({ ids, images: new MemoryImageSource(cifar.pixels, cifar.side), extractor, cache, key, augmentedViews: 2 });
    } finally {
      extractor.dispose();
    }
    matrix = loadFeatureMatrix(cache, key, ids);
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const newHead = (seed = 1) => createFeatureHead({ embeddingDim: 768, shallowShape, hidden: [64], k: CLASSES.length, seed });

  it('implements the model contract: shapes, BatchNorm statistics in layer order, no tensor leaks', () => {
    const head = newHead();
    try {
      expect(head.inputShape).toEqual([768 + 4 * 4 * 96]);
      expect(head.batchStatNames()).toEqual(['shallow/bn', 'fc1/bn', 'fc2/bn']);
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        const x = tf.randomUniform([6, 768 + 1536]);
        const train = head.forward(x, true);
        expect(train.logits.shape).toEqual([6, 4]);
        expect(train.deep.shape).toEqual([6, 4]);
        expect(train.shallow.shape).toEqual([6, 4, 4, 96]);
        expect(train.batchStats!.map((t) => t.shape[0])).toEqual([96, 96, 64, 64, 4, 4]);
        const sums = tf.sum(train.probs, 1).dataSync();
        for (const s of sums) expect(s).toBeCloseTo(1, 5);
        expect(head.forward(x, false).batchStats).toBeUndefined();
        // Batch statistics outlive tidy on purpose: the trainer folds them into the running statistics, then frees them.
        tf.dispose(train.batchStats!);
      });
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      head.dispose();
    }
  });

  it('starts at a given partition of the photos', async () => {
    const head = newHead();
    const views = new FeatureViews(matrix, ids, cache, key);
    const loaded = await views.load(ids.map((_, i) => i));
    try {
      await recalibrateBatchNorm(head, loaded, 256);
      await initFromPartition(head, loaded, Int32Array.from(labels), { labelThreshold: 0.9, confidentShare: 0.5 });
      const preds = await predict(head, views);
      // A nearest-centroid start reproduces a partition that is separable in the hidden space almost exactly.
      expect(clusteringAccuracy(labels, preds.map((p) => p.cluster))).toBeGreaterThanOrEqual(0.9);
      const confident = preds.filter((p) => p.confidence >= 0.9).length / preds.length;
      expect(confident).toBeGreaterThan(0.3);
      expect(confident).toBeLessThan(0.7);
    } finally {
      loaded.dispose();
      head.dispose();
    }
  });

  it('training with DCCM losses lowers its loss and raises the confident share on a small folder', async () => {
    const head = newHead(2);
    const unit = l2Normalize(matrix.embedding, matrix.n, 768);
    const neighbours = { k: 5, index: await nearestNeighbours(unit, matrix.n, 768, 5) };
    const views = new FeatureViews(matrix, ids, cache, key, { augmentedViews: 2, augmentedShare: 0.5, neighbours, neighbourShare: 1 });
    const epochs: EpochEvent[] = [];
    try {
      const result = await train({
        model: head,
        views,
        config: { ...recommendedFinetuneConfig().train, epochs: 8, miniBatch: 20, passes: 10, seed: 3 },
        onEvent: (e) => e.type === 'epoch' && epochs.push(e),
      });
      expect(result.status).toBe('completed');
      const first = epochs[0]!;
      const last = epochs.at(-1)!;
      expect(last.loss.graphAug).toBeLessThan(first.loss.graphAug);
      expect(last.loss.graph).toBeLessThan(first.loss.graph);
      expect(last.confidentShare).toBeGreaterThan(first.confidentShare);
      const preds = await predict(head, views);
      // Twice chance (four classes) from a random start after a few seconds of training.
      expect(clusteringAccuracy(labels, preds.map((p) => p.cluster))).toBeGreaterThanOrEqual(0.5);

      // Saved and loaded, the head predicts exactly the same.
      await saveModel(path.join(dir, 'model'), head, { mode: 'finetune' });
      const loaded = await loadModel(path.join(dir, 'model'));
      try {
        expect(loaded).toBeInstanceOf(FeatureHead);
        const again = await predict(loaded, views);
        expect(again.map((p) => p.cluster)).toEqual(preds.map((p) => p.cluster));
        expect(again[0]!.confidence).toBeCloseTo(preds[0]!.confidence, 6);
      } finally {
        loaded.dispose();
      }
    } finally {
      head.dispose();
    }
  });

  it('serves transformed views as augmented copies or neighbours, drawn from the trainer generator', async () => {
    const neighbours = { k: 2, index: Int32Array.from({ length: matrix.n * 2 }, (_, i) => (Math.floor(i / 2) + 1 + (i % 2)) % matrix.n) };
    const onlyNeighbours = new FeatureViews(matrix, ids, cache, key, { augmentedViews: 2, augmentedShare: 0, neighbours, neighbourShare: 1 });
    const loaded = await onlyNeighbours.load([0, 1, 2]);
    const W = 768 + 1536;
    const row = (i: number) => Float32Array.from([...matrix.embedding.subarray(i * 768, (i + 1) * 768), ...matrix.shallow.subarray(i * 1536, (i + 1) * 1536)]);
    const a = onlyNeighbours.augmented(loaded, [0], [0], new Rng(1));
    const got = a.dataSync() as Float32Array;
    expect([row(1), row(2)].some((r) => r.every((v, j) => v === got[j]))).toBe(true);
    expect(a.shape).toEqual([1, W]);
    const onlyAugmented = new FeatureViews(matrix, ids, cache, key, { augmentedViews: 2, augmentedShare: 1, neighbours: null, neighbourShare: 0 });
    const b = onlyAugmented.augmented(loaded, [0], [0], new Rng(1)).dataSync() as Float32Array;
    const views = [1, 2].map((v) => cache.get(key, ids[0]!, v)!.embedding);
    expect(views.some((v) => v.every((x, j) => x === b[j]))).toBe(true);
    const c = onlyAugmented.augmented(loaded, [0], [0], new Rng(1)).dataSync() as Float32Array;
    expect(Array.from(c)).toEqual(Array.from(b));
    tf.dispose([loaded, a]);
  });
});

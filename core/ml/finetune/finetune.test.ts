// runFinetune end to end on a few real CIFAR photos: which backbone passes a run pays for. Augmented views cost a
// full backbone pass per photo, so they are computed only when the head starts at random (large folders), where
// they carry the head's gain; a small folder's run trains nothing unless configured to, and then with neighbours as
// its transformed views.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCifar } from '../../../test/cifarImages.js';
import { sharedDir } from '../../paths.js';
import { initBackend, type BackendInfo } from '../runtime/backend.js';
import { MemoryImageSource } from '../data/dataset.js';
import { MemoryFeatureCache } from './backboneFeatures.js';
import { assignWithHead, recommendedFinetuneConfig, runFinetune, SMALL_FOLDER_STARTS, startsAtKmeans, type FinetuneConfig } from './finetune.js';
import { centred, groupingFeatures } from './groupingFeatures.js';
import { kmeansOnBackend } from '../kmeans/kmeansBackend.js';
import { CONFIDENCE_CURVE } from './confidence.js';
import { guidedPartition, type RunGuide } from './guidedPartition.js';

const BACKBONE = 'mobilenet_v1_0.75_224';

describe('runFinetune', () => {
  let backend: BackendInfo;
  let modelsDir: string;
  let images: MemoryImageSource;
  let ids: string[];
  let pixels: Uint8Array;
  let side: number;
  const previousUrl = process.env.PHOTOCLUSTER_MODELS_URL;

  beforeAll(async () => {
    backend = await initBackend('wasm');
    modelsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-finetune-'));
    process.env.PHOTOCLUSTER_MODELS_URL = path.join(sharedDir(), 'models');
    const cifar = await loadCifar(['airplane', 'frog'], 8);
    images = new MemoryImageSource(cifar.pixels, cifar.side);
    pixels = cifar.pixels;
    side = cifar.side;
    ids = cifar.labels.map((_, i) => `photo${i}`);
  });

  afterAll(() => {
    if (previousUrl === undefined) delete process.env.PHOTOCLUSTER_MODELS_URL;
    else process.env.PHOTOCLUSTER_MODELS_URL = previousUrl;
    fs.rmSync(modelsDir, { recursive: true, force: true });
  });

  const run = async (config: Partial<FinetuneConfig>, guide?: RunGuide, photos = { ids, images }, k: number | 'auto' = 2, epochs?: number) => {
    const cache = new MemoryFeatureCache();
    const result = await runFinetune({
      ...(guide ? { guide } : {}),
      ids: photos.ids,
      images: photos.images,
      pixelSource: 'cifar32',
      cache,
      backbone: BACKBONE,
      modelsDir,
      backend,
      k,
      seed: 1,
      // Training runs one pass where it runs at all (large folders, or where asked to).
      config: { featureSize: 96, minSteps: 4, ...config, train: { ...recommendedFinetuneConfig().train, epochs: 1 } },
      ...(epochs !== undefined ? { epochs } : {}),
    });
    const views = cache.presentViews(result.featureKey, photos.ids);
    return { result, views: photos.ids.map((id) => [...(views.get(id) ?? [])].sort()) };
  };

  it('on a small folder trains nothing: it ships the k-means groups, computes no augmented views, and its saved model places photos the same way', async () => {
    const { result, views } = await run({});
    expect(startsAtKmeans({ init: 'auto', kmeansInitBelow: 5000 }, ids.length)).toBe(true);
    expect(views).toEqual(ids.map(() => [0]));
    expect(result.features.backboneImages).toBe(ids.length);
    expect(result.config.augmentedViews).toBe(0);
    expect(result.training.steps).toBe(0);
    expect(result.partition).toMatchObject({ shipped: 'kmeans', trained: false });
    expect(result.partition.reason).toMatch(/grouped by how alike they look .* fewer than 5,000 photos/);
    expect(Array.from(result.cluster)).toEqual(Array.from(result.partition.kmeans));
    // Those groups are k-means' of the photos centred and averaged with their look-alikes (groupingFeatures.ts).
    const d = result.embeddingDim;
    const sorted = await kmeansOnBackend(await groupingFeatures(result.embeddings, ids.length, d), ids.length, d, { k: 2, seed: 1, restarts: SMALL_FOLDER_STARTS });
    expect(Array.from(result.partition.kmeans)).toEqual(Array.from(sorted.assignments));
    expect(result.confidenceSignals.startAgreement).toHaveLength(ids.length);
    expect(new Set(result.cluster).size).toBe(2);
    const byModel = ids.map((_, i) => (result.probs[i * 2 + 1]! > result.probs[i * 2]! ? 1 : 0));
    expect(byModel.filter((c, i) => c === result.cluster[i]).length).toBeGreaterThanOrEqual(ids.length - 1);
  }, 180_000);

  it('trains the head from its k-means start where configured, and checks it against k-means', async () => {
    const { result, views } = await run({ trainFromKmeansStart: true });
    expect(views).toEqual(ids.map(() => [0]));
    expect(result.training.steps).toBeGreaterThan(0);
    expect(result.partition.trained).toBe(true);
    expect(['head', 'kmeans']).toContain(result.partition.shipped);
    expect(result.partition.reason).toMatch(/modularity/);
  }, 180_000);

  it('trains a small folder too when the user set a number of training passes, but never a run that learns from the user', async () => {
    const asked = await run({}, undefined, { ids, images }, 2, 2);
    expect(asked.result.training.epochsCompleted).toBe(2);
    expect(asked.result.partition.trained).toBe(true);
    const guide: RunGuide = { rows: ids.map((_, i) => i), slots: ids.map((_, i) => (i < 8 ? 0 : 1)), pinned: ids.map((_, i) => i === 0) };
    const guided = await run({}, guide, { ids, images }, 2, 2);
    expect(guided.result.partition.shipped).toBe('guided');
    expect(guided.result.training.steps).toBe(0);
  }, 180_000);

  it('computes them where the head starts at random, or when asked to with a k-means start', async () => {
    const random = await run({ kmeansInitBelow: 8 });
    expect(startsAtKmeans({ init: 'auto', kmeansInitBelow: 8 }, ids.length)).toBe(false);
    expect(random.views).toEqual(ids.map(() => [0, 1]));
    expect(random.result.config.augmentedViews).toBe(1);

    const asked = await run({ augmentWithKmeansStart: true, trainFromKmeansStart: true });
    expect(asked.views).toEqual(ids.map(() => [0, 1]));
    expect(asked.result.features.backboneImages).toBe(2 * ids.length);
  }, 240_000);

  it('learns from photos the user placed: they stay in their group and their look-alikes join them', async () => {
    const cifar = await loadCifar(['airplane', 'frog'], 20);
    const photos = { ids: cifar.labels.map((_, i) => `p${i}`), images: new MemoryImageSource(cifar.pixels, cifar.side) };
    const frog = (i: number) => cifar.labels[i] === 1;
    const frogs = photos.ids.map((_, i) => i).filter(frog);
    // The user's groups as a first run might leave them: the airplanes with three frogs, and the other frogs. The
    // user moved one of the three to the frogs by hand and left the other two.
    const [moved, ...left] = frogs.slice(0, 3);
    const slots = photos.ids.map((_, i) => (frog(i) && !left.includes(i) ? 1 : 0));
    const guide: RunGuide = { rows: photos.ids.map((_, i) => i), slots, pinned: photos.ids.map((_, i) => i === moved) };
    const { result } = await run({}, guide, photos);
    expect(result.guided).toEqual({ photos: 1, groups: 1, outputOfSlot: [[0, 0], [1, 1]] });
    expect(result.partition.shipped).toBe('guided');
    expect(result.partition.reason).toMatch(/1 photo you placed by hand \(in 1 group\)/);
    // No head training, and no transformed copies computed for it; the guided curve reads no k-means starts.
    expect(result.training.steps).toBe(0);
    expect(result.confidenceSignals.startAgreement).toBeUndefined();
    expect(result.config.augmentedViews).toBe(0);
    // The frogs the user left behind join the one the user moved; no airplane does.
    expect(result.cluster[moved!]).toBe(1);
    expect(left.map((i) => result.cluster[i])).toEqual([1, 1]);
    expect(photos.ids.filter((_, i) => !frog(i) && result.cluster[i] === 1)).toEqual([]);
    // The saved model's output layer was fitted to the shipped groups: its own choice agrees with them.
    const byModel = photos.ids.map((_, i) => (result.probs[i * 2 + 1]! > result.probs[i * 2]! ? 1 : 0));
    expect(byModel.filter((c, i) => c === result.cluster[i]).length).toBeGreaterThanOrEqual(photos.ids.length - 2);
  }, 180_000);

  it('refines the user\'s groups on the centred embeddings, not averaged with look-alikes as the first grouping\'s, where that places photos differently', async () => {
    // Cats and dogs, which these features mix: the user placed every seventh photo in its kind's group.
    const cifar = await loadCifar(['cat', 'dog'], 20);
    const photos = { ids: cifar.labels.map((_, i) => `c${i}`), images: new MemoryImageSource(cifar.pixels, cifar.side) };
    const first = (await run({}, undefined, photos)).result;
    const pinned = photos.ids.map((_, i) => i % 7 === 0);
    const guide: RunGuide = { rows: photos.ids.map((_, i) => i), slots: photos.ids.map((_, i) => (pinned[i] ? cifar.labels[i]! : first.cluster[i]!)), pinned };
    const { result } = await run({}, guide, photos);
    const n = photos.ids.length;
    const d = result.embeddingDim;
    const refine = (space: Float32Array) => Array.from(guidedPartition(space, n, d, 2, guide, result.partition.kmeans).partition);
    const onCentred = refine(centred(result.embeddings, n, d));
    expect(Array.from(result.cluster)).toEqual(onCentred);
    expect(onCentred).not.toEqual(refine(result.embeddings));
    expect(onCentred).not.toEqual(refine(await groupingFeatures(result.embeddings, n, d)));
  }, 180_000);

  it('on a folder above the random-start size ignores the guide: an ordinary run, the placed photos kept by regroupPlan', async () => {
    const pins = [0, 1, 8, 9];
    const guide: RunGuide = { rows: ids.map((_, i) => i), slots: ids.map((_, i) => (i < 8 ? 0 : 1)), pinned: ids.map((_, i) => pins.includes(i)) };
    const guided = await run({ kmeansInitBelow: 8 }, guide);
    const plain = await run({ kmeansInitBelow: 8 });
    expect(guided.result.guided).toBeNull();
    expect(guided.result.partition.shipped).not.toBe('guided');
    expect(guided.result.training.steps).toBeGreaterThan(0);
    expect(guided.views).toEqual(ids.map(() => [0, 1]));
    expect(Array.from(guided.result.cluster)).toEqual(Array.from(plain.result.cluster));
  }, 240_000);

  it('gives photos placed later by the saved model a confidence from the library: surer where the library’s groups follow their kinds', async () => {
    const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-finetune-run-'));
    try {
      const cache = new MemoryFeatureCache();
      const result = await runFinetune({ ids, images, pixelSource: 'cifar32', cache, backbone: BACKBONE, modelsDir, backend, k: 2, seed: 1, runDir, config: { featureSize: 96, minSteps: 4 } });
      // New photos: copies of two airplanes and two frogs under new names.
      const picks = [0, 1, 8, 9];
      const per = side * side * 3;
      const copies = new Uint8Array(picks.length * per);
      picks.forEach((i, j) => copies.set(pixels.subarray(i * per, (i + 1) * per), j * per));
      const place = (outputs: number[]) =>
        assignWithHead({ modelDir: result.modelDir!, ids: picks.map((i) => `copy${i}`), images: new MemoryImageSource(copies, side), cache, modelsDir, reference: { ids, outputs } });
      const kept = await place([...result.cluster]);
      // The same library with its groups cut across the kinds (every other photo): look-alikes and k-means starts disagree.
      const scrambled = await place(ids.map((_, i) => i % 2));
      expect([...kept.cluster]).toEqual([...scrambled.cluster]);
      for (const out of [kept, scrambled]) {
        expect(out.confidence).toHaveLength(picks.length);
        for (const p of out.confidence!) {
          expect(p).toBeGreaterThanOrEqual(CONFIDENCE_CURVE.floor - 1e-6);
          expect(p).toBeLessThanOrEqual(CONFIDENCE_CURVE.ceiling + 1e-6);
        }
      }
      picks.forEach((_, j) => expect(scrambled.confidence![j]!).toBeLessThan(kept.confidence![j]!));
    } finally {
      fs.rmSync(runDir, { recursive: true, force: true });
    }
  }, 180_000);

  it('after corrections, shows the photos the user left alone as sure as the corrections say, and places new photos alike', async () => {
    // The user's groups: the first eight photos in one, the rest in the other, four of them moved there by hand.
    const pinned = ids.map((_, i) => [0, 3, 9, 12].includes(i));
    const guide: RunGuide = { rows: ids.map((_, i) => i), slots: ids.map((_, i) => (i < 8 ? 0 : 1)), pinned };
    // The last grouping expected 6 of these photos wrong; the user found 4 and left 12 alone: 2 wrong expected among 12.
    const corrections = { untouched: 12, untouchedDoubt: 3, foundWrong: 4, kept: 0, decidedDoubt: 3 };
    const picks = [1, 2, 10, 11];
    const per = side * side * 3;
    const copies = new Uint8Array(picks.length * per);
    picks.forEach((i, j) => copies.set(pixels.subarray(i * per, (i + 1) * per), j * per));
    const runDirs: string[] = [];
    try {
      const runWith = async (g: RunGuide) => {
        const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-finetune-run-'));
        runDirs.push(runDir);
        const cache = new MemoryFeatureCache();
        const result = await runFinetune({ ids, images, pixelSource: 'cifar32', cache, backbone: BACKBONE, modelsDir, backend, k: 2, seed: 1, runDir, guide: g, config: { featureSize: 96, minSteps: 4 } });
        const placed = await assignWithHead({ modelDir: result.modelDir!, ids: picks.map((i) => `copy${i}`), images: new MemoryImageSource(copies, side), cache, modelsDir, reference: { ids, outputs: [...result.cluster] } });
        return { result, placed: placed.confidence! };
      };
      const alone = await runWith(guide);
      const told = await runWith({ ...guide, corrections });
      expect(Array.from(told.result.cluster)).toEqual(Array.from(alone.result.cluster));
      const unpinned = (c: Float32Array) => Array.from(c).filter((_, i) => !pinned[i]);
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      // The curve alone shows them less sure than the 10 of 12 right the corrections leave; lifted, they show that.
      expect(mean(unpinned(alone.result.confidence))).toBeLessThan(1 - 2 / 12 - 0.02);
      expect(mean(unpinned(told.result.confidence))).toBeCloseTo(1 - 2 / 12, 2);
      expect(told.result.guided).toMatchObject({ photos: 4, groups: 2, expectedRight: expect.closeTo(1 - 2 / 12, 6) });
      const scale = told.result.guided!.doubtScale!;
      expect(scale).toBeGreaterThan(0);
      expect(scale).toBeLessThan(1);
      // Each photo's doubt shrinks by the same factor, so the least sure stay first in Review.
      ids.forEach((_, i) => {
        if (!pinned[i]) expect(1 - told.result.confidence[i]!).toBeCloseTo((1 - alone.result.confidence[i]!) * scale, 4);
      });
      // Photos placed later by the saved model take the same factor.
      told.placed.forEach((c, j) => expect(1 - c).toBeCloseTo((1 - alone.placed[j]!) * scale, 4));
    } finally {
      for (const dir of runDirs) fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);

  it('chosen automatically, keeps at least the user\'s groups, and says so', async () => {
    // Four groups of the user's, one photo placed by hand: the run starts from all four, whatever is suggested.
    const slots = ids.map((_, i) => Math.floor(i / 4));
    const guide: RunGuide = { rows: ids.map((_, i) => i), slots, pinned: ids.map((_, i) => i === 0) };
    const { result } = await run({}, guide, { ids, images }, 'auto');
    // 16 photos: the suggestion is kept within 2–2 (a tenth of the photos, at least 2).
    expect(result.kSuggested).toBe(2);
    expect(result.k).toBe(4);
    expect(result.kReasoning).toMatch(/Made 4 instead, to keep your groups\.$/);
    expect(result.guided?.outputOfSlot).toEqual([[0, 0], [1, 1], [2, 2], [3, 3]]);
  }, 180_000);
});

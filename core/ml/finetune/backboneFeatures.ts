/**
 * The feature job: backbone features of every photo and of A augmented views of it, computed once per content and
 * cached, so that training the clustering head never runs the backbone again. Augmented views are drawn from a
 * generator seeded by the photo's id and the view number, so a cached view is a pure function of the content.
 */
import { tf } from '../runtime/tf.js';
import type { Tensor4D } from '../runtime/tf.js';
import { Rng } from '../rng.js';
import { applyAugment, drawAugmentParams, type AugmentConfig } from '../data/augment.js';
import type { ImageSource } from '../data/dataset.js';
import type { FeatureExtractor } from '../backbones/extractor.js';
import type { FeatureRecord } from '../../store/features.js';

export type { FeatureRecord };

/** Where features are kept: the library database (`FeatureTable`) or memory (one-off command-line runs). */
export interface FeatureCache {
  presentViews(key: string, ids: readonly string[]): Map<string, Set<number>>;
  put(key: string, rows: readonly FeatureRecord[]): void;
  get(key: string, id: string, view: number): FeatureRecord | undefined;
}

export class MemoryFeatureCache implements FeatureCache {
  private readonly rows = new Map<string, FeatureRecord>();
  private static slot(key: string, id: string, view: number): string {
    return `${key}\u0000${id}\u0000${view}`;
  }
  presentViews(key: string, ids: readonly string[]): Map<string, Set<number>> {
    const out = new Map<string, Set<number>>();
    for (const [slot, r] of this.rows) {
      if (!slot.startsWith(`${key}\u0000`)) continue;
      let set = out.get(r.hash);
      if (!set) out.set(r.hash, (set = new Set()));
      set.add(r.view);
    }
    const wanted = new Set(ids);
    for (const id of out.keys()) if (!wanted.has(id)) out.delete(id);
    return out;
  }
  put(key: string, rows: readonly FeatureRecord[]): void {
    for (const r of rows) this.rows.set(MemoryFeatureCache.slot(key, r.hash, r.view), r);
  }
  get(key: string, id: string, view: number): FeatureRecord | undefined {
    return this.rows.get(MemoryFeatureCache.slot(key, id, view));
  }
}

/**
 * Views for the head's transform-robustness terms: a random crop (zoom-in 0.6–0.9 with a shift), horizontal flip,
 * a small rotation and per-channel colour shifts. Stronger than the from-scratch recipe: the backbone is already
 * invariant to small changes, so only larger ones give the head hard examples.
 */
export const FEATURE_AUGMENT: AugmentConfig = { rotationDeg: 10, shift: 0.1, zoom: [0.6, 0.9], flip: true, channelShift: 0.15 };
/** Bump when FEATURE_AUGMENT or the way views are drawn changes: it is part of the feature key. */
export const AUGMENT_RECIPE = 'aug1';

/** Everything cached features depend on: backbone, input size and format version, the pixel source, the views' recipe. */
export function featureKey(extractorKey: string, pixelSource: string): string {
  return `${extractorKey}|${pixelSource}|${AUGMENT_RECIPE}`;
}

export interface EnsureFeaturesOptions {
  /** Cache ids (content hashes), one per image of `images`, same order. */
  ids: readonly string[];
  images: ImageSource;
  extractor: FeatureExtractor;
  cache: FeatureCache;
  key: string;
  /** Augmented views per photo, cached as views 1..A. */
  augmentedViews: number;
  augment?: AugmentConfig;
  /** Photos per batch (each batch is one short write transaction). */
  batchSize?: number;
  signal?: AbortSignal;
  /** Photos done (cached or computed) out of all. */
  onProgress?: (done: number, total: number) => void;
}

export interface EnsureFeaturesResult {
  /** Photos with at least one view computed now. */
  computed: number;
  /** Photos whose views were all in the cache. */
  cached: number;
  /** Images (photos and views) that went through the backbone. */
  backboneImages: number;
  seconds: number;
}

/** Per-image augmentations, each from its own generator seeded by (id, view). */
function augmentParamsFor(ids: string[], view: number, side: number, cfg: AugmentConfig): ReturnType<typeof drawAugmentParams> {
  const transforms = new Float32Array(ids.length * 8);
  const channelShifts = new Float32Array(ids.length * 3);
  const flipped: boolean[] = [];
  ids.forEach((id, i) => {
    const p = drawAugmentParams(1, side, side, new Rng(`feature-view:${AUGMENT_RECIPE}:${id}:${view}`), cfg);
    transforms.set(p.transforms, i * 8);
    channelShifts.set(p.channelShifts, i * 3);
    flipped.push(p.flipped[0]!);
  });
  return { transforms, channelShifts, flipped };
}

/** Computes and caches whatever views of `ids` are missing under `key`. */
export async function ensureFeatures(opts: EnsureFeaturesOptions): Promise<EnsureFeaturesResult> {
  const t0 = performance.now();
  const { ids, images, extractor, cache, key } = opts;
  if (ids.length !== images.count) throw new Error(`${ids.length} ids for ${images.count} images`);
  const A = opts.augmentedViews;
  const cfg = opts.augment ?? FEATURE_AUGMENT;
  const present = cache.presentViews(key, ids);
  const todo: Array<{ index: number; views: number[] }> = [];
  ids.forEach((id, index) => {
    const have = present.get(id);
    const views = Array.from({ length: A + 1 }, (_, v) => v).filter((v) => !have?.has(v));
    if (views.length) todo.push({ index, views });
  });
  const total = ids.length;
  let done = total - todo.length;
  opts.onProgress?.(done, total);
  const batchSize = opts.batchSize ?? 64;
  const batches: Array<typeof todo> = [];
  for (let s = 0; s < todo.length; s += batchSize) batches.push(todo.slice(s, s + batchSize));
  let backboneImages = 0;
  const side = images.size;
  // Reading the next batch's pixels overlaps the backbone work on this one.
  let pending = batches.length ? images.read(batches[0]!.map((t) => t.index)) : null;
  for (let b = 0; b < batches.length; b++) {
    opts.signal?.throwIfAborted();
    const batch = batches[b]!;
    const pixels = await pending!;
    pending = b + 1 < batches.length ? images.read(batches[b + 1]!.map((t) => t.index)) : null;
    // One backbone call for the batch: rows grouped by view, each group gathered from the decoded batch.
    const groups: Array<{ view: number; rows: number[] }> = [];
    for (let v = 0; v <= A; v++) {
      const rows = batch.flatMap((t, r) => (t.views.includes(v) ? [r] : []));
      if (rows.length) groups.push({ view: v, rows });
    }
    const input = tf.tidy(() => {
      const x = tf.tensor4d(pixels, [batch.length, side, side, 3], 'int32');
      const unit = tf.div(tf.cast(x, 'float32'), 255) as Tensor4D;
      const parts = groups.map((g) => {
        const sel = tf.gather(unit, g.rows) as Tensor4D;
        if (g.view === 0) return sel;
        return applyAugment(sel, augmentParamsFor(g.rows.map((r) => ids[batch[r]!.index]!), g.view, side, cfg));
      });
      return tf.mul(parts.length === 1 ? parts[0]! : tf.concat(parts), 255) as Tensor4D;
    });
    let features;
    try {
      features = await extractor.extractTensor(input);
    } finally {
      input.dispose();
    }
    backboneImages += features.n;
    const D = extractor.embeddingDim;
    const S = extractor.shallowDim;
    const records: FeatureRecord[] = [];
    let at = 0;
    for (const g of groups) {
      for (const r of g.rows) {
        records.push({
          hash: ids[batch[r]!.index]!,
          view: g.view,
          embedding: features.embedding.slice(at * D, (at + 1) * D),
          shallow: features.shallow.slice(at * S, (at + 1) * S),
        });
        at++;
      }
    }
    cache.put(key, records);
    done += batch.length;
    opts.onProgress?.(done, total);
  }
  return { computed: todo.length, cached: total - todo.length, backboneImages, seconds: (performance.now() - t0) / 1000 };
}

export interface FeatureMatrix {
  n: number;
  embeddingDim: number;
  shallowDim: number;
  /** n × embeddingDim */
  embedding: Float32Array;
  /** n × shallowDim */
  shallow: Float32Array;
}

/** One view of every id from the cache, as row-major matrices; a missing row is an error (run ensureFeatures first). */
export function loadFeatureMatrix(cache: FeatureCache, key: string, ids: readonly string[], view = 0): FeatureMatrix {
  let embedding: Float32Array | null = null;
  let shallow: Float32Array | null = null;
  let D = 0;
  let S = 0;
  ids.forEach((id, i) => {
    const r = cache.get(key, id, view);
    if (!r) throw new Error(`no cached features for ${id} (view ${view}) under ${key}`);
    if (!embedding) {
      D = r.embedding.length;
      S = r.shallow?.length ?? 0;
      embedding = new Float32Array(ids.length * D);
      shallow = new Float32Array(ids.length * S);
    }
    if (r.embedding.length !== D || (r.shallow?.length ?? 0) !== S) throw new Error(`cached features for ${id} have inconsistent sizes`);
    embedding.set(r.embedding, i * D);
    if (r.shallow) shallow!.set(r.shallow, i * S);
  });
  return { n: ids.length, embeddingDim: D, shallowDim: S, embedding: embedding ?? new Float32Array(0), shallow: shallow ?? new Float32Array(0) };
}

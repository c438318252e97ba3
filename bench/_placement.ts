/**
 * Re-scan, measured: a seeded share of a folder's photos is held back, the folder is grouped without them (the app's
 * run, model saved), and the held-back photos are then placed by the saved model with their confidence read against
 * the grouped photos — `assignWithHead` with a reference, as the ML worker's assign task runs it after a Re-scan.
 * A placed photo is right when it is of the kind most of its group's grouped photos are of.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { BackendInfo } from '../core/ml/runtime/backend.js';
import { featurePixels } from '../core/ml/data/cachedImages.js';
import { assignWithHead, runFinetune, type FinetuneConfig } from '../core/ml/finetune/finetune.js';
import type { FeatureCache } from '../core/ml/finetune/backboneFeatures.js';
import { Rng } from '../core/ml/rng.js';
import { calibration } from '../core/metrics/calibration.js';

export interface PlacementInput {
  hashes: readonly string[];
  labels: readonly number[];
  cacheDir: string;
  cache: FeatureCache;
  backbone: string;
  modelsDir: string;
  backend: BackendInfo;
  k: number | 'auto';
  config: Partial<FinetuneConfig>;
  featureSize: number;
  /** Share of the photos held back and placed later (0–1). */
  share: number;
  seeds: number;
  /** Where each seed's run keeps its model. */
  workDir: string;
  log: (s: string) => void;
}

export interface PlacementRun {
  seed: number;
  grouped: number;
  placed: number;
  groups: number;
  /** Placed photos of their group's main kind (the kind most of the group's grouped photos are of). */
  right: number;
  ece: number;
  meanConfidence: number;
  /** Placing them: features (cached by the bench's earlier runs), the head, and the confidence against the library. */
  seconds: number;
}

/** Each grouped photo's group's main kind, by majority of the grouped photos' labels. */
function mainKinds(cluster: Int32Array, labels: readonly number[]): Map<number, number> {
  const counts = new Map<number, Map<number, number>>();
  cluster.forEach((g, i) => {
    const c = counts.get(g) ?? new Map<number, number>();
    c.set(labels[i]!, (c.get(labels[i]!) ?? 0) + 1);
    counts.set(g, c);
  });
  return new Map([...counts].map(([g, c]) => [g, [...c].sort((a, b) => b[1] - a[1])[0]![0]]));
}

export interface Placement {
  runs: PlacementRun[];
  /** All seeds' placed photos together: a few dozen photos per run leave each run's error mostly sampling noise. */
  pooled: { photos: number; right: number; ece: number; meanConfidence: number };
}

const round4 = (v: number) => Math.round(v * 1e4) / 1e4;

export async function placementRuns(o: PlacementInput): Promise<Placement> {
  const n = o.hashes.length;
  const held = Math.round(o.share * n);
  if (held < 1 || held >= n - 10) throw new Error(`--placed-share ${o.share} holds back ${held} of ${n} photos`);
  const runs: PlacementRun[] = [];
  const allConfidence: number[] = [];
  const allCorrect: number[] = [];
  for (let seed = 0; seed < o.seeds; seed++) {
    const order = new Rng(`placed:${seed}`).permutation(n);
    const later = order.slice(0, held).sort((a, b) => a - b);
    const isLater = new Set(later);
    const now = [...Array(n).keys()].filter((i) => !isLater.has(i));
    const ids = now.map((i) => o.hashes[i]!);
    const runDir = path.join(o.workDir, `placement-seed${seed}`);
    fs.rmSync(runDir, { recursive: true, force: true });
    const grouped = await runFinetune({
      ids,
      images: featurePixels('thumb320', o.cacheDir, ids, o.featureSize),
      pixelSource: 'thumb320',
      cache: o.cache,
      backbone: o.backbone,
      modelsDir: o.modelsDir,
      backend: o.backend,
      k: o.k,
      seed,
      config: o.config,
      runDir,
    });
    const laterIds = later.map((i) => o.hashes[i]!);
    const t0 = performance.now();
    const placed = await assignWithHead({
      modelDir: path.join(runDir, 'model'),
      ids: laterIds,
      images: featurePixels('thumb320', o.cacheDir, laterIds, o.featureSize),
      cache: o.cache,
      modelsDir: o.modelsDir,
      reference: { ids, outputs: [...grouped.cluster] },
    });
    const seconds = (performance.now() - t0) / 1000;
    const kinds = mainKinds(grouped.cluster, now.map((i) => o.labels[i]!));
    const correct = later.map((i, j) => (kinds.get(placed.cluster[j]!) === o.labels[i] ? 1 : 0));
    const cal = calibration(placed.confidence, correct);
    allConfidence.push(...placed.confidence);
    allCorrect.push(...correct);
    runs.push({
      seed,
      grouped: now.length,
      placed: later.length,
      groups: grouped.k,
      right: round4(cal.observed),
      ece: round4(cal.ece),
      meanConfidence: round4(cal.meanConfidence),
      seconds: Math.round(seconds * 100) / 100,
    });
    o.log(`placement seed ${seed}: ${later.length} photos placed into ${grouped.k} groups of ${now.length} in ${seconds.toFixed(1)} s, ${runs.at(-1)!.right} right, shown ${runs.at(-1)!.meanConfidence}, ECE ${runs.at(-1)!.ece}`);
    fs.rmSync(runDir, { recursive: true, force: true });
  }
  const pooled = calibration(allConfidence, allCorrect);
  return { runs, pooled: { photos: allConfidence.length, right: round4(pooled.observed), ece: round4(pooled.ece), meanConfidence: round4(pooled.meanConfidence) } };
}

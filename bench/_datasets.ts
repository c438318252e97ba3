// Labelled class-per-folder datasets for the quality benchmarks (bench/finetune.ts, bench/features.ts): which ones,
// at which sizes, and the folder the scan reads for each size. Folder names only score results.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { sharedDir } from '../core/paths.js';
import { scanFolderForTraining, type ScannedFolder } from '../core/ml/data/scannedFolder.js';

export interface DatasetSpec {
  dir: string;
  sizes: Array<number | 'all'>;
}

export function defaultDatasets(): DatasetSpec[] {
  const root = path.join(sharedDir(), 'datasets');
  return [
    { dir: path.join(root, 'cifar10-test'), sizes: [1000, 'all'] },
    { dir: path.join(root, 'clothing-photos'), sizes: ['all'] },
  ];
}

export function parseDatasetSpec(spec: string): DatasetSpec {
  const at = spec.lastIndexOf(':');
  const hasSizes = at > 0 && /^[0-9a-z,]+$/.test(spec.slice(at + 1));
  const dir = path.resolve(hasSizes ? spec.slice(0, at) : spec);
  const sizes = hasSizes
    ? spec
        .slice(at + 1)
        .split(',')
        .map((s) => (s === 'all' ? 'all' : Number(s)))
    : (['all'] as Array<number | 'all'>);
  for (const s of sizes) if (s !== 'all' && !(Number.isInteger(s) && s > 0)) throw new Error(`bad size in --dataset ${spec}`);
  if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`--dataset ${dir} is not a folder`);
  return { dir, sizes };
}

/** The folder to scan for `size`: the dataset itself, or a copy of the first size/classes files of every class. */
export function subsetFolder(dir: string, size: number | 'all', work: string): string {
  if (size === 'all') return dir;
  const classes = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();
  const perClass = Math.ceil(size / classes.length);
  const out = path.join(work, 'photos');
  if (fs.existsSync(path.join(out, '.complete'))) return out;
  fs.rmSync(out, { recursive: true, force: true });
  for (const cls of classes) {
    fs.mkdirSync(path.join(out, cls), { recursive: true });
    const names = fs
      .readdirSync(path.join(dir, cls))
      .filter((f) => !f.startsWith('.'))
      .sort()
      .slice(0, perClass);
    for (const name of names) fs.copyFileSync(path.join(dir, cls, name), path.join(out, cls, name));
  }
  fs.writeFileSync(path.join(out, '.complete'), '');
  return out;
}

/**
 * Scans `dataset` at `size` with the app's library scan into `<workRoot>/<tag>` (kept between runs, so a re-run
 * only checks the files and reuses cached features; `fresh` starts over) and returns what it found.
 */
export async function scanDataset(dataset: string, size: number | 'all', workRoot: string, fresh = false): Promise<{ tag: string; work: string; scanned: ScannedFolder; scanSeconds: number }> {
  const tag = `${path.basename(dataset)}-${size}-${crypto.createHash('sha1').update(dataset).digest('hex').slice(0, 8)}`;
  const work = path.join(workRoot, tag);
  if (fresh) fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  const folder = subsetFolder(dataset, size, work);
  const t0 = performance.now();
  const scanned = await scanFolderForTraining(folder, path.join(work, 'library'));
  if (!scanned.labels) {
    scanned.close();
    throw new Error(`${dataset} is not class-per-folder`);
  }
  return { tag, work, scanned, scanSeconds: (performance.now() - t0) / 1000 };
}

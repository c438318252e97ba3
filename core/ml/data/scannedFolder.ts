/**
 * A folder of images made ready for training exactly as the app does it: the library scan (hash, decode once, 320 px
 * thumbnail and 96 px model input in the content-addressed cache) into a work folder of its own, and the list of
 * distinct photos it found. `photocluster train` and the quality benchmarks use it, so what they measure is the
 * pixels the app trains on. A work folder that is kept is brought up to date by the scan's own incremental rules.
 */
import fs from 'node:fs';
import path from 'node:path';
import { scanLibrary } from '../../library/scan.js';
import { openDatabase, type Database } from '../../store/db.js';
import { listPhotos } from '../../store/photos.js';
import type { BadImage } from './dataset.js';

export interface ScannedFolder {
  /** Distinct content hashes of the usable photos, in path order (a copy of an earlier photo is left out). */
  hashes: string[];
  /** Path (relative, forward slashes) of the first photo with each hash. */
  paths: string[];
  /** Class index of each photo when every photo sits in a first-level sub-folder (for scoring only). */
  labels?: number[];
  classes?: string[];
  /** Every usable photo (copies included) with its content hash, in path order. */
  photos: Array<{ path: string; hash: string }>;
  /** Files the scan could not use, with its reason. */
  errors: BadImage[];
  /** Photos left out because they repeat an earlier one's content. */
  duplicates: number;
  db: Database;
  dbPath: string;
  cacheDir: string;
  seconds: number;
  close(): void;
}

/** Scans `dir` (read-only) into `workDir` (created if needed) and lists its usable photos. */
export async function scanFolderForTraining(dir: string, workDir: string, opts: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {}): Promise<ScannedFolder> {
  const t0 = performance.now();
  fs.mkdirSync(workDir, { recursive: true });
  const dbPath = path.join(workDir, 'library.db');
  const cacheDir = path.join(workDir, 'cache');
  const db = openDatabase(dbPath);
  try {
    const summary = await scanLibrary({
      db,
      root: dir,
      cacheDir,
      signal: opts.signal,
      ...(opts.onProgress ? { onProgress: (p) => p.phase === 'processing' && opts.onProgress!(p.done, p.total) } : {}),
    });
    const rows = listPhotos(db, summary.library, 'ok').sort((a, b) => (a.display_path < b.display_path ? -1 : a.display_path > b.display_path ? 1 : 0));
    const seen = new Set<string>();
    const hashes: string[] = [];
    const paths: string[] = [];
    for (const r of rows) {
      if (!r.content_hash || seen.has(r.content_hash)) continue;
      seen.add(r.content_hash);
      hashes.push(r.content_hash);
      paths.push(r.display_path);
    }
    const classes = classLabels(paths);
    return {
      hashes,
      paths,
      ...(classes ? { classes: classes.classes, labels: classes.labels } : {}),
      photos: rows.flatMap((r) => (r.content_hash ? [{ path: r.display_path, hash: r.content_hash }] : [])),
      errors: summary.errors.map((e) => ({ path: e.path, reason: e.reason })),
      duplicates: rows.length - hashes.length,
      db,
      dbPath,
      cacheDir,
      seconds: (performance.now() - t0) / 1000,
      close: () => db.close(),
    };
  } catch (err) {
    db.close();
    throw err;
  }
}

/** Class names and indices from first-level folder names, when every path has one (for scoring only). */
export function classLabels(paths: readonly string[]): { classes: string[]; labels: number[] } | undefined {
  if (!paths.length || !paths.every((p) => p.includes('/'))) return undefined;
  const classes = [...new Set(paths.map((p) => p.split('/')[0]!))].sort();
  return { classes, labels: paths.map((p) => classes.indexOf(p.split('/')[0]!)) };
}

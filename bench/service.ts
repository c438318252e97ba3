/**
 * `npm run bench -- service [--sections export,nearDuplicates] [--photos 1000] [--rounds 1] [--hashes 20000]`
 *
 * One report, one section per service operation, each timed against a baseline measured in the same run (the
 * machine is shared, so absolute seconds drift; ratios hold):
 *  - export: copying N photo-sized files (2–4 MB, cached in os.tmpdir()) with the export engine vs `cp -r`.
 *  - nearDuplicates: grouping 20,000 perceptual hashes vs the full pairwise comparison.
 *  - edits: moving 1,000 photos between groups and undoing it (p50/p95) in a 20,000-photo library, next to a bare
 *    SQL update of the same rows in one transaction.
 */
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { planExport, runExport, type ExportInput, type RunExportOptions } from '../core/service/export/index.js';
import { groupByHash, perceptualHash, type HashedPhoto } from '../core/service/nearDuplicates.js';
import { seededRandom as seeded } from '../test/seededRandom.js';
import { predictions, seedLibrary } from '../test/fixtures/library.js';
import { openDatabase } from '../core/store/db.js';
import { applyRun, type RunRecord } from '../core/service/applyRun.js';
import { EditLog } from '../core/service/edits.js';
import { GroupEditor } from '../core/service/groupEdits.js';

const run$ = promisify(execFile);

interface BenchOptions {
  photos: number;
  rounds: number;
  hashes: number;
}

type Section = (opts: BenchOptions) => Promise<Record<string, unknown>>;

const SECTIONS: Record<string, Section> = {
  export: benchExport,
  nearDuplicates: benchNearDuplicates,
  edits: benchEdits,
};

export async function run(args: string[]): Promise<object> {
  const { values } = parseArgs({
    args,
    options: {
      sections: { type: 'string', default: Object.keys(SECTIONS).join(',') },
      photos: { type: 'string', default: '1000' },
      rounds: { type: 'string', default: '1' },
      hashes: { type: 'string', default: '20000' },
    },
  });
  const opts: BenchOptions = { photos: Number(values.photos), rounds: Number(values.rounds), hashes: Number(values.hashes) };
  const names = values.sections.split(',').filter(Boolean);
  const unknown = names.filter((n) => !(n in SECTIONS));
  if (unknown.length > 0) throw new Error(`unknown section(s) ${unknown.join(', ')}; known: ${Object.keys(SECTIONS).join(', ')}`);
  const sections: Record<string, unknown> = {};
  for (const name of names) {
    process.stderr.write(`[service bench] ${name}…\n`);
    sections[name] = await SECTIONS[name]!(opts);
  }
  return { options: opts, sections };
}

// ---------------------------------------------------------------------------------------------------------------
// export

const seconds = (ms: number) => Math.round(ms) / 1000;
const mbPerSecond = (bytes: number, ms: number) => Math.round((bytes / 1e6 / (ms / 1000)) * 10) / 10;
const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;

/**
 * N files of 2–4 MB of incompressible bytes framed like JPEGs, in 10 camera-like folders, written once and kept
 * in os.tmpdir() for later runs (a marker file says the set is complete).
 */
async function photoCorpus(count: number): Promise<{ root: string; files: Array<{ path: string; size: number; mtimeMs: number }> }> {
  const root = path.join(os.tmpdir(), `photocluster-bench-photos-v1-${count}`);
  const marker = path.join(root, '.complete');
  const next = seeded(count);
  const layout = Array.from({ length: count }, (_, i) => ({
    path: path.join(root, `DCIM_${String(i % 10).padStart(2, '0')}`, `IMG_${String(i).padStart(5, '0')}.jpg`),
    size: 2_000_000 + Math.floor(next() * 2_000_000),
  }));
  if (!fs.existsSync(marker)) {
    process.stderr.write(`[service bench] writing ${count} photo-sized files to ${root} (once)…\n`);
    fs.rmSync(root, { recursive: true, force: true });
    for (const f of layout) {
      fs.mkdirSync(path.dirname(f.path), { recursive: true });
      const bytes = crypto.randomBytes(f.size);
      bytes.writeUInt16BE(0xffd8, 0);
      bytes.writeUInt16BE(0xffd9, f.size - 2);
      fs.writeFileSync(f.path, bytes);
    }
    fs.writeFileSync(marker, String(count));
  }
  return { root, files: layout.map((f) => ({ ...f, mtimeMs: fs.statSync(f.path).mtimeMs })) };
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

/** Flushes dirty pages so one measurement's writeback does not slow the next (not timed). */
async function settle(...dirs: string[]): Promise<void> {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  await run$('sync');
}

async function benchExport(opts: BenchOptions): Promise<Record<string, unknown>> {
  const corpus = await photoCorpus(opts.photos);
  const totalBytes = corpus.files.reduce((s, f) => s + f.size, 0);
  // Read everything once so every contender starts from a warm page cache.
  for (const f of corpus.files) fs.readFileSync(f.path);

  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'photocluster-bench-out-'));
  const clusters = 10;
  const inputFor = (destination: string): ExportInput => ({
    destination,
    mode: 'copy',
    groups: Array.from({ length: clusters }, (_, g) => ({
      name: `Cluster ${g + 1}`,
      files: corpus.files
        .filter((_, i) => Math.floor((i * clusters) / corpus.files.length) === g)
        .map((f, i) => ({ photoId: g * 100_000 + i, sourcePath: f.path, size: f.size, mtimeMs: f.mtimeMs })),
    })),
  });

  const runs: Record<string, number[]> = { cp: [], cpSync: [], exportDefault: [], exportNoFsync: [], plan: [] };
  const contenders: Array<[keyof typeof runs, (dst: string) => Promise<unknown>]> = [
    ['cp', (dst) => run$('cp', ['-r', corpus.root, dst])],
    ['cpSync', async (dst) => (await run$('cp', ['-r', corpus.root, dst]), await run$('sync'))],
    ['exportDefault', (dst) => exportOnce(inputFor(dst), {}, runs.plan!)],
    ['exportNoFsync', (dst) => exportOnce(inputFor(dst), { fsync: false }, runs.plan!)],
  ];
  try {
    for (let round = 0; round < opts.rounds; round++) {
      // Alternate the order between rounds so neither side always runs on a machine warmed by the other.
      const order = round % 2 === 0 ? contenders : [...contenders].reverse();
      for (const [name, fn] of order) {
        const dst = path.join(work, `${name}-${round}`);
        await settle(dst);
        runs[name]!.push((await timed(() => fn(dst))).ms);
        await settle(dst);
      }
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }

  const best = (name: keyof typeof runs) => Math.min(...runs[name]!);
  const row = (name: keyof typeof runs) => ({
    seconds: seconds(best(name)),
    mbPerSecond: mbPerSecond(totalBytes, best(name)),
    allSeconds: runs[name]!.map(seconds),
  });
  return {
    photos: corpus.files.length,
    totalMB: Math.round(totalBytes / 1e6),
    corpus: corpus.root,
    cpR: row('cp'),
    cpRThenSync: row('cpSync'),
    export: {
      ...row('exportDefault'),
      note: 'copy mode, defaults: sha256 of every file, fsync of each file before it is published, journal, JSON+CSV manifest',
      ratioToCp: ratio(best('exportDefault'), best('cp')),
      ratioToCpThenSync: ratio(best('exportDefault'), best('cpSync')),
    },
    exportWithoutFsync: {
      ...row('exportNoFsync'),
      ratioToCp: ratio(best('exportNoFsync'), best('cp')),
    },
    dryRunPlanSeconds: seconds(Math.min(...runs.plan!)),
  };
}

async function exportOnce(input: ExportInput, opts: RunExportOptions, planTimes: number[]): Promise<void> {
  const { ms, value: plan } = await timed(() => planExport(input));
  planTimes.push(ms);
  const result = await runExport(plan, opts);
  if (result.exported !== plan.files.length) throw new Error(`export finished with ${result.failed} failed: ${JSON.stringify(result.errors.slice(0, 3))}`);
}

// ---------------------------------------------------------------------------------------------------------------
// near-duplicates

function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** The baseline: every pair compared (with the same 32-bit popcount), counting pairs within the threshold. */
function pairwisePairs(photos: HashedPhoto[], maxDistance: number): number {
  const lo = Uint32Array.from(photos, (p) => Number(p.hash & 0xffffffffn));
  const hi = Uint32Array.from(photos, (p) => Number(p.hash >> 32n));
  let pairs = 0;
  for (let i = 0; i < lo.length; i++) {
    for (let j = i + 1; j < lo.length; j++) if (popcount32(lo[i]! ^ lo[j]!) + popcount32(hi[i]! ^ hi[j]!) <= maxDistance) pairs++;
  }
  return pairs;
}

/** Hashes like a real library's: a tenth are near copies (≤ 8 bits apart) of another photo, the rest unrelated. */
function syntheticHashes(count: number): HashedPhoto[] {
  const next = seeded(1234);
  const random = () => (BigInt(Math.floor(next() * 2 ** 32)) << 32n) | BigInt(Math.floor(next() * 2 ** 32));
  const photos: HashedPhoto[] = [];
  while (photos.length < count) {
    const base = random();
    photos.push({ photoId: photos.length, hash: base });
    if (next() < 0.1 && photos.length < count) {
      let copy = base;
      for (let b = Math.floor(next() * 9); b > 0; b--) copy ^= 1n << BigInt(Math.floor(next() * 64));
      photos.push({ photoId: photos.length, hash: copy });
    }
  }
  return photos;
}

async function benchNearDuplicates(opts: BenchOptions): Promise<Record<string, unknown>> {
  const photos = syntheticHashes(opts.hashes);
  const maxDistance = 10;
  const groupMs: number[] = [];
  let groups = 0;
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    groups = groupByHash(photos, { maxDistance }).length;
    groupMs.push(performance.now() - t0);
  }
  const t0 = performance.now();
  const pairs = pairwisePairs(photos, maxDistance);
  const pairwiseMs = performance.now() - t0;

  const next = seeded(99);
  const images = Array.from({ length: 200 }, () => Uint8Array.from({ length: 96 * 96 * 3 }, () => Math.floor(next() * 256)));
  const h0 = performance.now();
  for (const img of images) perceptualHash(img);
  const hashMs = (performance.now() - h0) / images.length;

  const median = [...groupMs].sort((a, b) => a - b)[2]!;
  // Growth with library size: the full comparison grows with n², the index far slower.
  const larger = syntheticHashes(photos.length * 5);
  const l0 = performance.now();
  groupByHash(larger, { maxDistance });
  const largerMs = performance.now() - l0;
  return {
    hashes: photos.length,
    maxDistance,
    groups,
    pairsWithinThreshold: pairs,
    groupingMs: Math.round(median * 10) / 10,
    pairwiseBaselineMs: Math.round(pairwiseMs),
    speedupVsPairwise: Math.round(pairwiseMs / median),
    perceptualHashMsPerPhoto: Math.round(hashMs * 1000) / 1000,
    scaling: {
      hashes: larger.length,
      groupingMs: Math.round(largerMs),
      growthVs20k: Math.round((largerMs / median) * 10) / 10,
      pairwiseGrowthWouldBe: 25,
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// edits

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

async function benchEdits(opts: BenchOptions): Promise<Record<string, unknown>> {
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'pc-bench-edits-'));
  const db = openDatabase(path.join(dir, 'bench.db'));
  try {
    const photos = 20_000;
    const k = 10;
    const lib = seedLibrary(db, photos);
    const rand = seeded(7);
    applyRun(db, new EditLog(db), lib.libraryId, BENCH_RUN, predictions(lib.hashes, lib.hashes.map(() => Math.floor(rand() * k)), k));
    const log = new EditLog(db);
    const editor = new GroupEditor(db, log);
    const groups = db.prepare(`SELECT id FROM clusters WHERE library_id = ? ORDER BY id`).pluck().all(lib.libraryId) as number[];
    const members = (g: number) => db.prepare(`SELECT photo_id FROM assignments WHERE cluster_id = ? ORDER BY photo_id LIMIT ?`).pluck().all(g, opts.photos) as number[];
    const times = { move: [] as number[], undo: [] as number[], redo: [] as number[], bareUpdate: [] as number[] };
    const repetitions = 30;
    for (let i = 0; i < repetitions; i++) {
      const from = groups[i % groups.length]!;
      const to = groups[(i + 1) % groups.length]!;
      const ids = members(from);
      let t = performance.now();
      editor.move(ids, { clusterId: to });
      times.move.push(performance.now() - t);
      t = performance.now();
      log.undo(lib.libraryId);
      times.undo.push(performance.now() - t);
      t = performance.now();
      log.redo(lib.libraryId);
      times.redo.push(performance.now() - t);
      log.undo(lib.libraryId);
      // Baseline: the least any move can cost, one UPDATE per row in one transaction, then put them back.
      const update = db.prepare(`UPDATE assignments SET cluster_id = ? WHERE photo_id = ?`);
      t = performance.now();
      db.transaction(() => ids.forEach((id) => update.run(to, id)))();
      times.bareUpdate.push(performance.now() - t);
      db.transaction(() => ids.forEach((id) => update.run(from, id)))();
    }
    const stats = (xs: number[]) => {
      const sorted = [...xs].sort((a, b) => a - b);
      return { p50Ms: +percentile(sorted, 0.5).toFixed(2), p95Ms: +percentile(sorted, 0.95).toFixed(2) };
    };
    const base = stats(times.bareUpdate);
    return {
      libraryPhotos: photos,
      photosMoved: opts.photos,
      repetitions,
      move: { ...stats(times.move), ratioToBareUpdateP50: +(stats(times.move).p50Ms / base.p50Ms).toFixed(2) },
      undo: { ...stats(times.undo), ratioToBareUpdateP50: +(stats(times.undo).p50Ms / base.p50Ms).toFixed(2) },
      redo: stats(times.redo),
      bareUpdate: base,
    };
  } finally {
    db.close();
    await fs.promises.rm(dir, { recursive: true, force: true });
  }
}

const BENCH_RUN: RunRecord = {
  jobId: null,
  mode: 'scratch',
  backbone: null,
  backend: 'cpu',
  kSuggested: null,
  kReasoning: null,
  config: {},
  startedAt: new Date(0).toISOString(),
  seconds: 0,
  lossHistory: [],
  modelDir: null,
};

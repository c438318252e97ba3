// `npm run bench -- ingest [--count N] [--sweep N]`: ingest speed and memory against bare sharp decoding.
// Generates N photo-like 4000×3000 JPEGs (q90) once into os.tmpdir() (cached between runs), then measures in child
// processes: (a) scanLibrary images/s and peak RSS, (b) bare sharp decode+resize of the same files with the same
// pool size, (c) re-scan of the unchanged folder in files/s. The machine is shared, so besides the two full runs
// the ratio is also taken (d) from CPU seconds per image, which other load barely moves, and (e) from blocks of
// files measured back to back, bare and ingest alternating, whose median ratio sees the same load on both sides.
// `--sweep N` first times ingest of N files at concurrency 1..4, three rounds each (median reported).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { DEFAULT_CONCURRENCY } from '../core/library/scan.js';
import { forEachLimit } from '../core/library/decodePool.js';
import { photoLikePixels } from '../test/fixtures/images.js';

const WIDTH = 4000;
const HEIGHT = 3000;
const QUALITY = 90;
const SWEEP_CONCURRENCY = [1, 2, 3, 4];
const SWEEP_ROUNDS = 3;
const BLOCKS = 8;
const BLOCK_SIZE = 50;
const TARGETS = { ingestVsDecode: 0.8, peakRssMiB: 1536, rescanFilesPerSecond: 2000 };
const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * Photo-like content at full resolution without a 12-MP JavaScript scene per image: gradients and shapes drawn at
 * 1/4 scale and upscaled natively (smooth, like real scenes), plus full-resolution grain taken at a per-image offset
 * from one shared noise array (every image gets different high-frequency content and a realistic JPEG size).
 */
async function generate(dir: string, count: number): Promise<void> {
  const pixels = WIDTH * HEIGHT * 3;
  const grain = new Int8Array(pixels + 65536);
  let s = 0x12345678;
  for (let i = 0; i < grain.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    grain[i] = ((s >>> 0) & 63) - 32;
  }
  const todo = Array.from({ length: count }, (_, i) => i).filter((i) => !fs.existsSync(path.join(dir, name(i))));
  let done = 0;
  await forEachLimit(todo, os.availableParallelism(), async (i) => {
    const scene = await sharp(photoLikePixels(WIDTH / 4, HEIGHT / 4, 1000 + i), { raw: { width: WIDTH / 4, height: HEIGHT / 4, channels: 3 } })
      .resize(WIDTH, HEIGHT, { kernel: 'linear' })
      .raw()
      .toBuffer();
    const px = new Uint8ClampedArray(scene.buffer, scene.byteOffset, scene.length);
    const off = (i * 7919) % 65536;
    for (let j = 0; j < pixels; j++) px[j] = px[j]! + grain[j + off]!; // clamped add
    const tmp = path.join(dir, `.${name(i)}.tmp`);
    await sharp(scene, { raw: { width: WIDTH, height: HEIGHT, channels: 3 } }).jpeg({ quality: QUALITY }).toFile(tmp);
    fs.renameSync(tmp, path.join(dir, name(i)));
    if (++done % 100 === 0) process.stderr.write(`generated ${done}/${todo.length}\n`);
  });
}

function medianOf(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** A folder of links to files[start, start+count), so a part of the data set can be scanned on its own. */
function subset(dir: string, files: string[], start: number, count: number): string {
  const sub = path.join(os.tmpdir(), `${path.basename(dir)}-part-${start}-${count}`);
  fs.mkdirSync(sub, { recursive: true });
  for (const f of files.slice(start, start + count)) if (!fs.existsSync(path.join(sub, f))) fs.symlinkSync(path.join(dir, f), path.join(sub, f));
  return sub;
}

function name(i: number): string {
  return `photo-${String(i).padStart(5, '0')}.jpg`;
}

function child(args: string[]): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', path.join(here, '_ingestChild.ts'), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1)!)) : reject(new Error(`child ${args[0]} exited ${code}`))));
  });
}

async function ingestRun(dir: string, concurrency: number): Promise<Record<string, unknown>> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-bench-work-'));
  try {
    return await child(['ingest', dir, String(concurrency), work]);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** Reads every file once so both measurements start from the same warm page cache. */
async function warm(dir: string): Promise<void> {
  for (const f of fs.readdirSync(dir)) if (f.endsWith('.jpg')) await fs.promises.readFile(path.join(dir, f));
}

export async function run(args: string[]): Promise<object> {
  const { values } = parseArgs({ args, options: { count: { type: 'string', default: '1000' }, sweep: { type: 'string', default: '0' } } });
  const count = Number(values.count);
  const sweepCount = Math.min(Number(values.sweep), count);
  const dir = path.join(os.tmpdir(), `photocluster-bench-ingest-v4-${WIDTH}x${HEIGHT}-q${QUALITY}-n${count}`);
  fs.mkdirSync(dir, { recursive: true });
  const genStart = performance.now();
  await generate(dir, count);
  const generationSeconds = (performance.now() - genStart) / 1000;
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.jpg'));
  const bytes = files.reduce((s, f) => s + fs.statSync(path.join(dir, f)).size, 0);

  let sweep: Record<string, unknown>[] | undefined;
  if (sweepCount > 0) {
    const sub = subset(dir, files.sort(), 0, sweepCount);
    await warm(sub);
    // Rounds cycle through the pool sizes so that load from other processes drifts over all of them alike.
    const rates = new Map<number, number[]>(SWEEP_CONCURRENCY.map((c) => [c, []]));
    for (let round = 0; round < SWEEP_ROUNDS; round++) {
      for (const c of SWEEP_CONCURRENCY) rates.get(c)!.push((await ingestRun(sub, c)).imagesPerSecond as number);
    }
    sweep = SWEEP_CONCURRENCY.map((c) => ({ concurrency: c, medianImagesPerSecond: medianOf(rates.get(c)!), runs: rates.get(c)! }));
  }

  const concurrency = DEFAULT_CONCURRENCY;
  const loadBefore = os.loadavg();
  await warm(dir);
  const sorted = files.sort();
  const blockRatios: number[] = [];
  const blockSize = Math.max(1, Math.min(BLOCK_SIZE, Math.floor(sorted.length / BLOCKS)));
  for (let b = 0; b < BLOCKS; b++) {
    const sub = subset(dir, sorted, b * blockSize, blockSize);
    let bare: Record<string, unknown>;
    let ingested: Record<string, unknown>;
    if (b % 2 === 0) {
      bare = await child(['decode', sub, String(concurrency)]);
      ingested = await ingestRun(sub, concurrency);
    } else {
      ingested = await ingestRun(sub, concurrency);
      bare = await child(['decode', sub, String(concurrency)]);
    }
    blockRatios.push((ingested.imagesPerSecond as number) / (bare.imagesPerSecond as number));
  }
  const decode = await child(['decode', dir, String(concurrency)]);
  const ingest = await ingestRun(dir, concurrency);
  const loadAfter = os.loadavg();
  const rescan = ingest.rescan as { filesPerSecond: number };
  const median = medianOf(blockRatios);
  const ratios = {
    ingestVsDecode: (ingest.imagesPerSecond as number) / (decode.imagesPerSecond as number),
    ingestVsDecodeCpu: (decode.cpuSecondsPerImage as number) / (ingest.cpuSecondsPerImage as number),
    ingestVsDecodePairedBlocksMedian: median,
    peakRssVsTarget: (ingest.peakRssMiB as number) / TARGETS.peakRssMiB,
    rescanVsTarget: rescan.filesPerSecond / TARGETS.rescanFilesPerSecond,
  };
  return {
    dataset: { dir, count: files.length, width: WIDTH, height: HEIGHT, quality: QUALITY, meanMiB: bytes / files.length / 2 ** 20, generationSeconds },
    concurrency,
    bareDecode: decode,
    ingest,
    sweep,
    loadAverage: { before: loadBefore, after: loadAfter },
    pairedBlocks: { blocks: BLOCKS, filesPerBlock: blockSize, ingestVsDecode: blockRatios },
    targets: TARGETS,
    ratios,
    pass: {
      ingestVsDecode: ratios.ingestVsDecode >= TARGETS.ingestVsDecode,
      ingestVsDecodeCpu: ratios.ingestVsDecodeCpu >= TARGETS.ingestVsDecode,
      ingestVsDecodePairedBlocks: median >= TARGETS.ingestVsDecode,
      peakRss: (ingest.peakRssMiB as number) < TARGETS.peakRssMiB,
      rescan: rescan.filesPerSecond >= TARGETS.rescanFilesPerSecond,
    },
  };
}

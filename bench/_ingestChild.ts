// One measured run of the ingest benchmark, in its own process so its peak RSS is its own.
// argv: <mode: ingest|decode> <dir> <concurrency> [workDir]
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { scanLibrary } from '../core/library/scan.js';
import { forEachLimit } from '../core/library/decodePool.js';
import { openDatabase } from '../core/store/db.js';

const [mode, dir, concurrencyArg, workDir] = process.argv.slice(2);
const concurrency = Number(concurrencyArg);
const files = fs.readdirSync(dir!).filter((f) => f.endsWith('.jpg')).sort();

/** CPU time of every thread of this process since `start`: unlike wall time, barely moved by other load. */
function cpuSeconds(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1e6;
}

async function bareDecode(): Promise<object> {
  // The same libvips settings and the same pool the scan uses, doing only decode + resize.
  sharp.concurrency(1);
  sharp.cache(false);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await forEachLimit(files, concurrency, async (f) => {
    await sharp(path.join(dir!, f), { autoOrient: true }).resize(320, 320, { fit: 'inside' }).raw().toBuffer();
  });
  const seconds = (performance.now() - t0) / 1000;
  return { images: files.length, seconds, imagesPerSecond: files.length / seconds, cpuSecondsPerImage: cpuSeconds(cpu0) / files.length };
}

async function ingest(): Promise<object> {
  const db = openDatabase(path.join(workDir!, 'bench.db'));
  const cacheDir = path.join(workDir!, 'cache');
  const cpu0 = process.cpuUsage();
  const first = await scanLibrary({ db, root: dir!, cacheDir, concurrency });
  const ingestCpu = cpuSeconds(cpu0);
  const rssAfterIngest = process.resourceUsage().maxRSS;
  const again = await scanLibrary({ db, root: dir!, cacheDir, concurrency });
  db.close();
  if (first.added !== files.length || first.failed) throw new Error(`ingest added ${first.added} of ${files.length}, failed ${first.failed}`);
  if (again.added || again.changed || again.failed) throw new Error('re-scan of an unchanged folder changed something');
  return {
    images: first.added,
    seconds: first.seconds,
    imagesPerSecond: first.added / first.seconds,
    cpuSecondsPerImage: ingestCpu / first.added,
    peakRssMiB: Math.round(rssAfterIngest / 1024),
    rescan: { files: again.scanned, seconds: again.seconds, filesPerSecond: again.scanned / Math.max(again.seconds, 0.001) },
  };
}

const result = mode === 'decode' ? await bareDecode() : await ingest();
process.stdout.write(JSON.stringify({ ...result, peakRssMiBProcess: Math.round(process.resourceUsage().maxRSS / 1024) }) + '\n');

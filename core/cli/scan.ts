import { UsageError, type Command } from '../cli.js';
import { barLine, TerminalLine } from './progressLine.js';
import { resolveDataPaths } from '../paths.js';
import type { ScanProgress, ScanSummary } from '../library/scan.js';

const USAGE = `Usage: photocluster scan <folder> [--db FILE] [--json]

Adds the photos in <folder> (and its subfolders) to the library, or brings the library up to date with it:
new, changed, moved, deleted and duplicate files are recognised; unchanged files are not read again.

Options:
  --db FILE   database file (default: the app data dir; PHOTOCLUSTER_DATA_DIR moves it)
  --json      print one JSON object with the counts and per-file errors instead of progress and a summary

Exit status: 0 when the scan completed (even if some files could not be read), 1 when the folder or the
database cannot be used, 130 when interrupted (run the same command again to continue).`;

const ERRORS_SHOWN = 20;


/** The scan's progress: walking counts files found; processing shows the bar with rate and ETA. */
class ProgressLine {
  private processingStart: { t: number; done: number } | undefined;
  private readonly line: TerminalLine;

  constructor(out: NodeJS.WriteStream) {
    this.line = new TerminalLine(out);
  }

  update(p: ScanProgress): void {
    if (p.phase === 'walking') return this.line.draw(`Looking for photos… ${p.done} found  ${p.path}`);
    const now = performance.now();
    this.processingStart ??= { t: now, done: p.done };
    const elapsed = (now - this.processingStart.t) / 1000;
    const rate = elapsed > 0.5 ? (p.done - this.processingStart.done) / elapsed : 0;
    this.line.draw(barLine({ done: p.done, total: p.total, rate, etaSeconds: rate > 0 ? (p.total - p.done) / rate : null, detail: p.path }), p.done === p.total);
  }

  clear(): void {
    this.line.clear();
  }
}

function printSummary(s: ScanSummary, root: string): void {
  const rate = s.seconds > 0 ? s.scanned / s.seconds : s.scanned;
  const lines = [
    `Scanned ${s.scanned} image files in ${root} (library ${s.library}) in ${s.seconds.toFixed(1)} s, ${rate.toFixed(1)} images/s`,
    `  new ${s.added}, changed ${s.changed}, moved ${s.moved}, missing ${s.missing}, duplicates ${s.duplicates}, failed ${s.failed}`,
  ];
  if (s.errors.length) {
    lines.push('Could not use:');
    for (const e of s.errors.slice(0, ERRORS_SHOWN)) lines.push(`  ${e.path}: ${e.reason}`);
    if (s.errors.length > ERRORS_SHOWN) lines.push(`  … and ${s.errors.length - ERRORS_SHOWN} more (--json lists them all)`);
  }
  process.stdout.write(lines.join('\n') + '\n');
}

export const command: Command = {
  name: 'scan',
  usage: USAGE,
  options: {
    db: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
  async run({ values, positionals }) {
    if (positionals.length !== 1) throw new UsageError(positionals.length ? 'give exactly one folder' : 'missing <folder>');
    const json = values.json === true;
    const { checkScanRoot, scanLibrary } = await import('../library/scan.js');
    const { openDatabase } = await import('../store/db.js');

    // Folder first: a mistyped path should not leave a fresh empty database behind.
    const root = await checkScanRoot(positionals[0]!);
    const paths = resolveDataPaths({ db: typeof values.db === 'string' ? values.db : undefined });
    const db = openDatabase(paths.dbPath);

    const tty = !json && process.stderr.isTTY === true;
    const bar = tty ? new ProgressLine(process.stderr) : undefined;
    const controller = new AbortController();
    const onSignal = () => controller.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      const summary = await scanLibrary({
        db,
        root,
        cacheDir: paths.cacheDir,
        signal: controller.signal,
        ...(bar ? { onProgress: (p: ScanProgress) => bar.update(p) } : {}),
      });
      bar?.clear();
      if (json) {
        const { seconds: _seconds, ...fields } = summary;
        process.stdout.write(JSON.stringify(fields) + '\n');
      } else {
        printSummary(summary, root);
      }
      return 0;
    } catch (err) {
      bar?.clear();
      if (controller.signal.aborted) {
        process.stderr.write('photocluster scan: interrupted; the work done so far is saved, run the same command again to continue\n');
        return 130;
      }
      throw err;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      db.close();
    }
  },
};

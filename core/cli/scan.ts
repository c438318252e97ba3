import { UsageError, type Command } from '../cli.js';
import type { JobInfo, JobProgress } from '../api.js';
import type { ScanJobResult } from '../service/libraryPipeline.js';
import { jobEnd } from '../service/jobEnd.js';
import { barLine, TerminalLine } from './progressLine.js';
import { openService } from './serviceSession.js';
import type { ScanSummary } from '../library/scan.js';

const USAGE = `Usage: photocluster scan <folder> [--db FILE] [--json]

Adds the photos in <folder> (and its subfolders) to the library, or brings the library up to date with it:
new, changed, moved, deleted and duplicate files are recognised; unchanged files are not read again. Once the
library has groups, new photos are placed in them (as Re-scan does in the app); nothing is retrained.

Options:
  --db FILE   database file (default: the app data dir; PHOTOCLUSTER_DATA_DIR moves it)
  --json      print one JSON object with the counts and per-file errors instead of progress and a summary

Exit status: 0 when the scan completed (even if some files could not be read), 1 when the folder or the
database cannot be used, 130 when interrupted (run the same command again to continue).`;

const ERRORS_SHOWN = 20;


/** The scan job's progress: finding counts files found; reading shows the bar with rate and ETA. */
class ProgressLine {
  private processingStart: { t: number; done: number } | undefined;
  private readonly line: TerminalLine;

  constructor(out: NodeJS.WriteStream) {
    this.line = new TerminalLine(out);
  }

  update(p: JobProgress): void {
    if (p.phase === 'find-photos') return this.line.draw(`Looking for photos… ${p.done} found  ${p.message ?? ''}`);
    if (p.phase !== 'read-photos') return this.line.draw(barLine({ label: 'Placing new photos in their groups', done: p.done, total: p.total, etaSeconds: p.etaSeconds }), p.done === p.total);
    const now = performance.now();
    this.processingStart ??= { t: now, done: p.done };
    const elapsed = (now - this.processingStart.t) / 1000;
    const rate = elapsed > 0.5 ? (p.done - this.processingStart.done) / elapsed : 0;
    this.line.draw(barLine({ done: p.done, total: p.total, rate, etaSeconds: rate > 0 ? (p.total - p.done) / rate : null, detail: p.message }), p.done === p.total);
  }

  clear(): void {
    this.line.clear();
  }
}

function printSummary(s: ScanSummary & Partial<Pick<ScanJobResult, 'assignedNew'>>, root: string): void {
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
  if (s.assignedNew) lines.push(`Placed ${s.assignedNew} new photo${s.assignedNew === 1 ? '' : 's'} in the existing groups`);
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
    const { checkScanRoot } = await import('../library/scan.js');

    // Folder first: a mistyped path should not leave a fresh empty database behind.
    const root = await checkScanRoot(positionals[0]!);
    const service = await openService(values);
    const bar = !json && process.stderr.isTTY === true ? new ProgressLine(process.stderr) : undefined;
    let job: JobInfo | null = null;
    let interrupted = false;
    const off = service.on('job', (j) => {
      // The final event carries the last progress too: a scan quicker than the UI throttle still draws its bar.
      if (j.id === job?.id && j.progress) bar?.update(j.progress);
    });
    const onSignal = () => {
      interrupted = true;
      if (job) void service.cancelJob({ jobId: job.id });
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      // The same job as Re-scan in the app: scan, then place photos that are new since the last grouping.
      const library = await service.addLibrary({ root });
      job = await service.scanLibrary({ libraryId: library.id });
      if (interrupted) await service.cancelJob({ jobId: job.id });
      const end = await jobEnd(service, job);
      bar?.clear();
      if (end.state === 'cancelled' || end.state === 'interrupted') {
        process.stderr.write('photocluster scan: interrupted; the work done so far is saved, run the same command again to continue\n');
        return 130;
      }
      if (end.state !== 'done') throw new Error(end.error ?? `the scan was ${end.state}`);
      const summary = end.result as ScanJobResult;
      if (json) {
        // The JSON keeps the scan's own counts (scripts rely on its keys); placing is reported in the summary only.
        const { seconds: _seconds, assignedNew: _assignedNew, ...fields } = summary;
        process.stdout.write(JSON.stringify(fields) + '\n');
      } else {
        printSummary(summary, root);
      }
      return 0;
    } finally {
      bar?.clear();
      off();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await service.close();
    }
  },
};

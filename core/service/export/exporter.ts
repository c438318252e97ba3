import fsp from 'node:fs/promises';
import path from 'node:path';
import {
  copyToNewFile,
  describeError,
  errnoOf,
  FATAL_ERRNOS,
  fsyncDir,
  fsyncFile,
  publishExclusive,
  supportsHardLinks,
  LINK_UNSUPPORTED_ERRNOS,
  lstatOrNull,
  pathExists,
  sameFile,
  sha256File,
  symlinkPointsTo,
  unlinkIfExists,
  writeFileAtomic,
  type FsPath,
} from './fileOps.js';
import {
  acquireLock,
  isTerminal,
  Journal,
  lastRecordPerFile,
  readJournal,
  statePaths,
  type FileRecord,
  type JournalRecord,
  type PublishHow,
} from './journal.js';
import { writeManifest } from './manifest.js';
import { nameKey, numberedName } from './names.js';
import { checkSpace, outsideLibrary, realLibraryRoot, sourceFsPath } from './plan.js';
import { mapLimit, Semaphore } from './copyPool.js';
import {
  ExportBlockedError,
  ExportInterruptedError,
  type ExportError,
  type ExportNote,
  type ExportPlan,
  type ExportProgress,
  type ExportResult,
  type Manifest,
  type ManifestEntry,
  type PlannedFile,
} from './types.js';

export interface RunExportOptions {
  signal?: AbortSignal | undefined;
  onProgress?: ((progress: ExportProgress) => void) | undefined;
  /** Least time between progress events; the last one is always sent. Default 100 ms (at most 10 a second). */
  progressIntervalMs?: number | undefined;
  /**
   * Files read and written at once. Default 2. Files waiting for their flush to disk do not count, so flushes
   * (slow, but they overlap well) run alongside the copies of the next files.
   */
  concurrency?: number | undefined;
  /**
   * Flush each copied file to disk before it becomes visible, so a power cut cannot leave a truncated photo under
   * its final name. Default true; move always flushes before it deletes an original.
   */
  fsync?: boolean | undefined;
}

type Published = { path: string; sha256: string; size: number };
type Outcome = ({ status: 'exported' | 'already-there' } & Published) | { status: 'skipped' | 'failed'; reason: string };

/** A reason this one file cannot be exported; the export goes on with the others. */
class FileFailure extends Error {}

const TEMP_PREFIX = '.photocluster-';
/** Files past their copy, waiting for flush, link and journal, per I/O slot. */
const FILES_IN_FLIGHT_PER_IO_SLOT = 8;

function tempPathFor(targetPath: string, exportId: string, index: number): string {
  return path.join(path.dirname(targetPath), `${TEMP_PREFIX}${exportId}-${index}.tmp`);
}

function outcomeOf(record: FileRecord): Outcome | null {
  switch (record.t) {
    case 'done':
      return { status: 'exported', path: record.path, sha256: record.sha256, size: record.size };
    case 'fail':
      return { status: 'failed', reason: record.reason };
    case 'skip':
      return { status: 'skipped', reason: record.reason };
    default:
      return null;
  }
}

/** Exports files one by one, writing each step to the journal before doing it so an interrupted run can finish. */
class FileExporter {
  private readonly plannedNames = new Map<string, Set<string>>();
  private readonly checkedDirs = new Map<string, Promise<void>>();
  /** Reading and writing file data; the rest of each file's steps (flush, link, journal) runs outside it. */
  private readonly io: Semaphore;
  private readonly progress: ExportProgress;
  /** Bytes of each file already reported while it was being copied. */
  private readonly streamed = new Map<number, number>();
  private lastEmit = 0;

  constructor(
    private readonly plan: ExportPlan,
    private readonly journal: Journal,
    private readonly prior: Map<number, FileRecord>,
    private readonly opts: RunExportOptions,
    /** The destination cannot hard-link (FAT, exFAT): publish by placeholder + rename instead. */
    private readonly noLinks: boolean,
    /** The library folder, real path: a move never deletes anything outside it. */
    private readonly realRoot: string | undefined,
  ) {
    for (const f of plan.files) {
      if (!f.targetPath) continue;
      const dir = path.dirname(f.targetPath);
      if (!this.plannedNames.has(dir)) this.plannedNames.set(dir, new Set());
      this.plannedNames.get(dir)!.add(nameKey(path.basename(f.targetPath)));
    }
    this.io = new Semaphore(opts.concurrency ?? 2);
    this.progress = {
      exportId: plan.exportId,
      phase: 'exporting',
      filesDone: 0,
      filesTotal: plan.files.length,
      bytesDone: 0,
      bytesTotal: plan.totals.bytes,
      exported: 0,
      alreadyThere: 0,
      skipped: 0,
      failed: 0,
      current: null,
    };
  }

  async run(): Promise<Map<number, Outcome>> {
    const outcomes = new Map<number, Outcome>();
    const todo: PlannedFile[] = [];
    for (const f of this.plan.files) {
      const record = this.prior.get(f.index);
      // Already there is decided by the stored plan, so a resumed run decides it the same way without a record.
      const outcome: Outcome | null | undefined = f.alreadyThere
        ? { status: 'already-there', path: f.alreadyThere, sha256: f.sha256!, size: f.size }
        : record && outcomeOf(record);
      if (outcome) this.count(f, outcome, outcomes);
      else todo.push(f);
    }
    this.emit(true);
    await mapLimit(todo, FILES_IN_FLIGHT_PER_IO_SLOT * (this.opts.concurrency ?? 2), async (f) => {
      this.throwIfAborted();
      this.progress.current = f.sourcePath;
      this.count(f, await this.exportOneRecorded(f), outcomes);
      this.emit(false);
    });
    return outcomes;
  }

  emit(force: boolean, phase: ExportProgress['phase'] = 'exporting'): void {
    const now = Date.now();
    if (!this.opts.onProgress || (!force && now - this.lastEmit < (this.opts.progressIntervalMs ?? 100))) return;
    this.lastEmit = now;
    this.opts.onProgress({ ...this.progress, phase });
  }

  private count(f: PlannedFile, outcome: Outcome, outcomes: Map<number, Outcome>): void {
    outcomes.set(f.index, outcome);
    this.progress.filesDone++;
    this.progress[outcome.status === 'already-there' ? 'alreadyThere' : outcome.status]++;
    // Copies report bytes as they go; links and finished-before-resume files count whole.
    if (!f.problem && !f.alreadyThere) this.progress.bytesDone += Math.max(0, f.size - (this.streamed.get(f.index) ?? 0));
    this.streamed.delete(f.index);
  }

  private throwIfAborted(): void {
    const signal = this.opts.signal;
    if (signal?.aborted) throw signal.reason ?? new DOMException('The export was cancelled', 'AbortError');
  }

  /** One file, its outcome journaled. Errors that would fail every file stop the whole export instead. */
  private async exportOneRecorded(f: PlannedFile): Promise<Outcome> {
    if (f.problem) {
      this.journal.append({ t: 'skip', i: f.index, reason: f.problem.reason });
      return { status: 'skipped', reason: f.problem.reason };
    }
    try {
      const published = await this.exportOne(f);
      this.journal.append({ t: 'done', i: f.index, ...published });
      return { status: 'exported', ...published };
    } catch (err) {
      if (this.opts.signal?.aborted) throw err;
      const code = errnoOf(err);
      if (code && FATAL_ERRNOS.has(code)) {
        throw new ExportInterruptedError(this.plan.exportId, `export stopped: ${describeError(err)}; free space or fix the destination, then resume`, { cause: err });
      }
      const reason = err instanceof FileFailure ? err.message : describeError(err);
      this.journal.append({ t: 'fail', i: f.index, reason });
      return { status: 'failed', reason };
    }
  }

  private exportOne(f: PlannedFile): Promise<Published> {
    const prior = this.prior.get(f.index);
    switch (this.plan.mode) {
      case 'copy':
        return this.exportCopy(f, prior, { fsync: this.opts.fsync ?? true });
      case 'hardlink':
        return this.exportHardlink(f, prior);
      case 'symlink':
        return this.exportSymlink(f, prior);
      case 'move':
        return f.copyInstead ? this.exportCopy(f, prior, { fsync: this.opts.fsync ?? true }) : this.exportMove(f, prior);
    }
  }

  /** The group folder exists and is a real folder (not a symlink someone put there that leads elsewhere). */
  private ensureFolder(dir: string): Promise<void> {
    let check = this.checkedDirs.get(dir);
    if (!check) {
      check = (async () => {
        await fsp.mkdir(dir, { recursive: true });
        const st = await fsp.lstat(dir);
        if (!st.isDirectory()) throw new FileFailure(`${dir} is not a folder`);
      })();
      this.checkedDirs.set(dir, check);
    }
    return check;
  }

  /** The planned name, then `name (n).ext` skipping names planned for other files of this export. */
  private *candidates(f: PlannedFile): Generator<string> {
    const target = f.targetPath!;
    yield target;
    const dir = path.dirname(target);
    const planned = this.plannedNames.get(dir) ?? new Set<string>();
    for (let n = 2; n < 100_000; n++) {
      const name = numberedName(f.desiredName, n, 'file');
      if (!planned.has(nameKey(name))) yield path.join(dir, name);
    }
  }

  /**
   * Creates the file's final name with an operation that fails when the name exists (link, symlink) — never
   * rename(), which silently replaces — recording each attempt first so a resume knows which name may be ours.
   */
  private async publish(
    f: PlannedFile,
    how: PublishHow,
    create: (target: string) => Promise<void>,
    content: { sha256?: string; size?: number } = {},
  ): Promise<string> {
    await this.ensureFolder(path.dirname(f.targetPath!));
    for (const target of this.candidates(f)) {
      this.journal.append({ t: 'link', i: f.index, path: target, how, ...content });
      try {
        await create(target);
        return target;
      } catch (err) {
        if (errnoOf(err) !== 'EEXIST') throw err;
      }
    }
    throw new FileFailure(`no free file name for ${f.desiredName}`);
  }

  /** For a file not copied by us: the known hash when the file is as it was scanned, else read it. */
  private async contentHash(f: PlannedFile, file: FsPath): Promise<{ sha256: string; size: number }> {
    const st = await fsp.stat(file);
    if (f.sha256 && st.size === f.size && st.mtimeMs === f.mtimeMs) return { sha256: f.sha256, size: st.size };
    return { sha256: await this.io.run(() => sha256File(file, this.opts.signal)), size: st.size };
  }

  private async exportCopy(f: PlannedFile, prior: FileRecord | undefined, opts: { fsync: boolean }): Promise<Published> {
    const temp = tempPathFor(f.targetPath!, this.plan.exportId, f.index);
    // A copy that was interrupted after its temp file was complete.
    if (prior?.t === 'link' && (prior.how === 'copy' || prior.how === 'reserve') && prior.sha256 && prior.size !== undefined) {
      const content = { sha256: prior.sha256, size: prior.size };
      const [tempStat, finalStat] = await Promise.all([lstatOrNull(temp), lstatOrNull(prior.path)]);
      if (tempStat && finalStat && tempStat.ino === finalStat.ino && tempStat.dev === finalStat.dev) {
        await unlinkIfExists(temp);
        return { path: prior.path, ...content };
      }
      // Our empty placeholder, claimed but not yet replaced by the copy.
      if (prior.how === 'reserve' && tempStat && finalStat?.isFile() && finalStat.size === 0) {
        await fsp.rename(temp, prior.path);
        return { path: prior.path, ...content };
      }
      // The temp file is only removed once linked, so without it the recorded name is ours.
      if (!tempStat && finalStat?.isFile() && finalStat.size === prior.size) return { path: prior.path, ...content };
      if (tempStat) return this.publishTemp(f, temp, content);
    }
    await this.ensureFolder(path.dirname(temp));
    await unlinkIfExists(temp);
    this.progress.bytesDone -= this.streamed.get(f.index) ?? 0;
    this.streamed.delete(f.index);
    const copy = await this.io.run(() =>
      copyToNewFile(sourceFsPath(f), temp, {
        signal: this.opts.signal,
        onBytes: (n) => {
          this.streamed.set(f.index, (this.streamed.get(f.index) ?? 0) + n);
          this.progress.bytesDone += n;
          this.emit(false);
        },
      }),
    );
    if (opts.fsync) await fsyncFile(temp);
    if (this.plan.mode === 'move' && f.sha256 && copy.sha256 !== f.sha256) {
      await unlinkIfExists(temp);
      throw new FileFailure('the file changed since it was scanned (its sha256 differs); not moved — re-scan first');
    }
    return this.publishTemp(f, temp, { sha256: copy.sha256, size: copy.size });
  }

  private async publishTemp(f: PlannedFile, temp: string, content: { sha256: string; size: number }): Promise<Published> {
    const how = this.noLinks ? 'reserve' : 'copy';
    const target = await this.publish(f, how, async (t) => void (await publishExclusive(temp, t, { noLinks: this.noLinks })), content);
    return { path: target, ...content };
  }

  private async exportHardlink(f: PlannedFile, prior: FileRecord | undefined): Promise<Published> {
    // link() would link a symlink itself rather than the photo it points to. Bytes, so a raw name stays raw.
    const source = await fsp.realpath(sourceFsPath(f), { encoding: 'buffer' });
    const linkTo = async (t: string) => {
      try {
        await fsp.link(source, t);
      } catch (err) {
        const code = errnoOf(err) ?? '';
        if (code !== 'EXDEV' && LINK_UNSUPPORTED_ERRNOS.has(code) && this.noLinks) {
          throw new FileFailure("the destination's filesystem cannot hold hard links (e.g. FAT or exFAT); export with copy instead");
        }
        throw err;
      }
    };
    const target =
      prior?.t === 'link' && prior.how === 'link' && (await sameFile(source, prior.path)) ? prior.path : await this.publish(f, 'link', linkTo);
    return { path: target, ...(await this.contentHash(f, target)) };
  }

  private async exportSymlink(f: PlannedFile, prior: FileRecord | undefined): Promise<Published> {
    const source = sourceFsPath(f);
    const earlier = prior?.t === 'link' && prior.how === 'symlink' ? prior.path : null;
    const symlinkTo = async (t: string) => {
      try {
        await fsp.symlink(source, t);
      } catch (err) {
        if (['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS'].includes(errnoOf(err) ?? '')) {
          throw new FileFailure(
            'could not create a symbolic link: the destination may not support them (FAT, exFAT), or on Windows creating them needs Developer Mode; export with copy instead',
          );
        }
        throw err;
      }
    };
    const target = earlier && (await symlinkPointsTo(earlier, source)) ? earlier : await this.publish(f, 'symlink', symlinkTo);
    return { path: target, ...(await this.contentHash(f, source)) };
  }

  /**
   * Move = export, prove the export holds the original's bytes, record that durably, then delete the original.
   * On one filesystem the export is a hard link: the same inode under a new name, so the bytes cannot differ
   * and at every instant at least one name holds the photo. Across filesystems it is a copy, flushed to disk and
   * re-read: its sha256 and the original's (read again) must both equal the hash computed while copying.
   */
  private async exportMove(f: PlannedFile, prior: FileRecord | undefined): Promise<Published> {
    const source = sourceFsPath(f);
    if (prior?.t === 'verified') {
      const published = { path: prior.path, sha256: prior.sha256, size: prior.size };
      if (!(await pathExists(source))) return published;
      if (await this.stillVerified(f, prior.path, prior.how, prior.sha256)) {
        await this.removeOriginal(f);
        return published;
      }
      throw new FileFailure(`the exported file ${prior.path} no longer matches the original; the original was kept`);
    }

    let how: PublishHow = 'copy';
    let published: Published | null = null;
    if (prior?.t === 'link' && prior.how === 'link' && (await pathExists(prior.path))) {
      if (await sameFile(source, prior.path)) published = { path: prior.path, ...(await this.contentHash(f, prior.path)) };
      else if (!(await pathExists(source))) {
        // The original is removed only after the verified record, so this is a link made by someone else.
        throw new FileFailure('the original disappeared during the move and its export cannot be confirmed');
      }
      how = 'link';
    }
    if (!published && f.sameDevice) {
      try {
        const target = await this.publish(f, 'link', (t) => fsp.link(source, t));
        published = { path: target, ...(await this.contentHash(f, target)) };
        how = 'link';
      } catch (err) {
        if (!LINK_UNSUPPORTED_ERRNOS.has(errnoOf(err) ?? '')) throw err;
        how = 'copy';
      }
    }
    if (!published) {
      const copyPrior = prior?.t === 'link' && (prior.how === 'copy' || prior.how === 'reserve') ? prior : undefined;
      published = await this.exportCopy(f, copyPrior, { fsync: true });
      how = 'copy';
    }
    await fsyncDir(path.dirname(published.path));
    if (!(await this.stillVerified(f, published.path, how, published.sha256))) {
      throw new FileFailure(`the exported file ${published.path} does not match the original (sha256); the original was kept`);
    }
    this.journal.append({ t: 'verified', i: f.index, how, ...published }, true);
    await this.removeOriginal(f);
    return published;
  }

  private async stillVerified(f: PlannedFile, exported: string, how: PublishHow, sha256: string): Promise<boolean> {
    const source = sourceFsPath(f);
    if (how === 'link') return sameFile(source, exported);
    const [copyHash, originalHash] = await this.io.run(() =>
      Promise.all([sha256File(exported, this.opts.signal).catch(() => null), sha256File(source, this.opts.signal)]),
    );
    return copyHash === sha256 && originalHash === sha256;
  }

  /** Only called once the export's directory entry has been flushed (before its `verified` record). */
  private async removeOriginal(f: PlannedFile): Promise<void> {
    // Checked again now: a folder link changed since planning must not make us delete outside the library.
    if (this.realRoot !== undefined && (await outsideLibrary(sourceFsPath(f), this.realRoot))) {
      throw new FileFailure(`the photo now lies outside the library folder (a folder link changed since the export was planned); it was exported, and the original was kept`);
    }
    await unlinkIfExists(sourceFsPath(f));
  }
}

async function storeOrLoadPlan(file: string, plan: ExportPlan): Promise<ExportPlan> {
  try {
    const stored = JSON.parse(await fsp.readFile(file, 'utf8')) as ExportPlan;
    if (stored.exportId !== plan.exportId || stored.inputKey !== plan.inputKey) {
      throw new Error(`${file} belongs to another export`);
    }
    return stored;
  } catch (err) {
    if (errnoOf(err) !== 'ENOENT') throw err;
  }
  const { resume: _resume, ...toStore } = plan;
  await writeFileAtomic(file, JSON.stringify(toStore));
  await fsyncDir(path.dirname(file));
  return toStore;
}

/** Temp files of this export left by killed runs: in the destination, its group folders and our state folder. */
async function removeTempFiles(plan: ExportPlan): Promise<void> {
  const isOurs = (name: string) => name.includes(plan.exportId) && (name.endsWith('.tmp') || /\.lock\.\d+$/u.test(name));
  const state = statePaths(plan.destination, plan.exportId).dir;
  for (const dir of [state, plan.destination, ...plan.groups.map((g) => g.path)]) {
    let names: string[];
    try {
      names = await fsp.readdir(dir);
    } catch (err) {
      if (errnoOf(err) === 'ENOENT') continue;
      throw err;
    }
    for (const name of names) {
      if (isOurs(name) && (dir === state || name.startsWith('.'))) await unlinkIfExists(path.join(dir, name));
    }
  }
}

/** What a manifest says of a photo that was already there. */
function alreadyThereReason(plan: ExportPlan): string {
  return `already there from an earlier export of this library${plan.mode === 'move' ? '; the original was not removed' : ''}`;
}

function buildManifest(plan: ExportPlan, outcomes: Map<number, Outcome>, startedAt: string, completedAt: string): Manifest {
  const entries: ManifestEntry[] = plan.files.map((f) => {
    const outcome = outcomes.get(f.index)!;
    const published = 'path' in outcome ? outcome : null;
    return {
      photoId: f.photoId,
      group: plan.groups[f.group]!.name,
      status: outcome.status,
      originalPath: f.sourcePath,
      ...(f.sourcePathBytes === undefined ? {} : { originalPathBytes: f.sourcePathBytes }),
      exportedPath: published?.path ?? null,
      sha256: published?.sha256 ?? f.sha256 ?? null,
      size: published?.size ?? f.size,
      mode: f.copyInstead ? 'copy' : plan.mode,
      reason: 'reason' in outcome ? outcome.reason : outcome.status === 'already-there' ? alreadyThereReason(plan) : f.notes?.join('; '),
    };
  });
  const library = plan.libraryRoot === undefined ? {} : { library: { root: plan.libraryRoot } };
  return { format: 1, exportId: plan.exportId, destination: plan.destination, ...library, mode: plan.mode, startedAt, completedAt, entries };
}

/**
 * Runs (or continues) an export. Safe to call again with the same plan after any interruption — kill -9, power
 * loss, cancellation — it finishes the job with no file exported twice, no partial file visible and no original
 * lost. Throws ExportBlockedError before writing anything when the plan cannot run, the AbortSignal's reason when
 * cancelled, ExportInterruptedError when the destination fills up or turns read-only.
 */
export async function runExport(plan: ExportPlan, opts: RunExportOptions = {}): Promise<ExportResult> {
  const blocking = plan.problems.filter((p) => p.severity === 'blocking');
  if (blocking.length > 0) throw new ExportBlockedError(blocking);
  const paths = statePaths(plan.destination, plan.exportId);
  await fsp.mkdir(paths.dir, { recursive: true });
  const lock = await acquireLock(paths.lock, plan.exportId);
  let journal: Journal | null = null;
  try {
    const stored = await storeOrLoadPlan(paths.plan, plan);
    const records = await readJournal(paths.journal);
    const complete = records.find((r): r is Extract<JournalRecord, { t: 'complete' }> => r.t === 'complete');
    // Results journaled before these counts existed lack them.
    if (complete) return { ...complete.result, alreadyThere: complete.result.alreadyThere ?? 0, notes: complete.result.notes ?? [] };

    const prior = lastRecordPerFile(records);
    const space = await checkSpace(stored.destination, stored.mode, stored.files.filter((f) => !isTerminal(prior.get(f.index))));
    if (!space.fits) throw new ExportBlockedError([space.problem]);

    journal = await Journal.open(paths.journal);
    let startedAt = records.find((r) => r.t === 'start')?.at;
    if (!startedAt) {
      startedAt = new Date().toISOString();
      journal.append({ t: 'start', at: startedAt }, true);
    }
    const noLinks = !(await supportsHardLinks(paths.dir));
    const exporter = new FileExporter(stored, journal, prior, opts, noLinks, await realLibraryRoot(stored.libraryRoot));
    const outcomes = await exporter.run();
    exporter.emit(true, 'manifest');
    await removeTempFiles(stored);

    // The completion time is journaled first so a manifest rewritten after a crash is byte-identical.
    let completedAt = records.find((r) => r.t === 'finishing')?.at;
    if (!completedAt) {
      completedAt = new Date().toISOString();
      journal.append({ t: 'finishing', at: completedAt }, true);
    }
    const manifest = buildManifest(stored, outcomes, startedAt, completedAt);
    const written = await writeManifest(manifest);
    const errors: ExportError[] = manifest.entries.flatMap((e) =>
      e.status === 'skipped' || e.status === 'failed' ? [{ path: e.originalPath, reason: e.reason ?? '', status: e.status }] : [],
    );
    const notes: ExportNote[] = manifest.entries.flatMap((e) => (e.status === 'exported' && e.reason ? [{ path: e.originalPath, reason: e.reason }] : []));
    const result: ExportResult = {
      exportId: stored.exportId,
      exported: manifest.entries.filter((e) => e.status === 'exported').length,
      alreadyThere: manifest.entries.filter((e) => e.status === 'already-there').length,
      skipped: manifest.entries.filter((e) => e.status === 'skipped').length,
      failed: manifest.entries.filter((e) => e.status === 'failed').length,
      bytes: manifest.entries.reduce((sum, e) => sum + (e.status === 'exported' ? e.size : 0), 0),
      manifest: written.json,
      manifestCsv: written.csv,
      errors,
      notes,
    };
    journal.append({ t: 'complete', at: new Date().toISOString(), result }, true);
    exporter.emit(true, 'done');
    return result;
  } finally {
    journal?.close();
    await lock.release();
  }
}

/** Finishes an interrupted export found in `destination` (see `listExports`). */
export async function resumeExport(destination: string, exportId: string, opts: RunExportOptions = {}): Promise<ExportResult> {
  const paths = statePaths(destination, exportId);
  let plan: ExportPlan;
  try {
    plan = JSON.parse(await fsp.readFile(paths.plan, 'utf8')) as ExportPlan;
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') throw new Error(`no export ${exportId} in ${destination}`);
    throw err;
  }
  return runExport(plan, opts);
}

export interface ExportSummary {
  exportId: string;
  mode: ExportPlan['mode'];
  files: number;
  filesDone: number;
  startedAt: string | null;
  complete: boolean;
}

/** Exports started in `destination`, finished or not (the job system offers to resume the unfinished ones). */
export async function listExports(destination: string): Promise<ExportSummary[]> {
  const dir = statePaths(destination, 'x').dir;
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return [];
    throw err;
  }
  const summaries: ExportSummary[] = [];
  for (const name of names.filter((n) => n.endsWith('.plan.json')).sort()) {
    const exportId = name.slice(0, -'.plan.json'.length);
    const paths = statePaths(destination, exportId);
    const plan = JSON.parse(await fsp.readFile(paths.plan, 'utf8')) as ExportPlan;
    const records = await readJournal(paths.journal);
    summaries.push({
      exportId,
      mode: plan.mode,
      files: plan.files.length,
      filesDone: [...lastRecordPerFile(records).values()].filter(isTerminal).length,
      startedAt: records.find((r) => r.t === 'start')?.at ?? null,
      complete: records.some((r) => r.t === 'complete'),
    });
  }
  return summaries;
}

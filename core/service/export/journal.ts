import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ownProcessStart, recordedProcessAlive } from '../../processIdentity.js';
import { errnoOf, publishExclusive } from './fileOps.js';
import { ExportBusyError, type ExportResult } from './types.js';

/** Our bookkeeping inside the destination; the leading dot keeps it out of file managers' default view. */
export const STATE_DIR_NAME = '.photocluster-export';

export function stateDir(destination: string): string {
  return path.join(destination, STATE_DIR_NAME);
}

export function statePaths(destination: string, exportId: string) {
  const dir = stateDir(destination);
  return {
    dir,
    plan: path.join(dir, `${exportId}.plan.json`),
    journal: path.join(dir, `${exportId}.jsonl`),
    lock: path.join(dir, `${exportId}.lock`),
  };
}

/**
 * How a file was published: a copied temp file linked into place (`copy`), or renamed over an O_EXCL placeholder
 * on filesystems without hard links (`reserve`: FAT, exFAT); a hard link of the source (`link`); a symlink.
 */
export type PublishHow = 'copy' | 'reserve' | 'link' | 'symlink';

/**
 * One line of the journal. Per file the sequence is `link` (about to create `path`; repeated when a name turns
 * out to be taken), for move `verified` (the exported file is proven to hold the original's bytes, so the
 * original may go), then exactly one terminal record: `done`, `fail` or `skip`.
 */
export type FileRecord =
  | { t: 'link'; i: number; path: string; how: PublishHow; sha256?: string | undefined; size?: number | undefined }
  | { t: 'verified'; i: number; path: string; how: PublishHow; sha256: string; size: number }
  | { t: 'done'; i: number; path: string; sha256: string; size: number }
  | { t: 'fail'; i: number; reason: string }
  | { t: 'skip'; i: number; reason: string };

export type JournalRecord =
  | FileRecord
  | { t: 'start'; at: string }
  | { t: 'finishing'; at: string }
  | { t: 'complete'; at: string; result: ExportResult };

export function isTerminal(r: FileRecord | undefined): r is Extract<FileRecord, { t: 'done' | 'fail' | 'skip' }> {
  return r?.t === 'done' || r?.t === 'fail' || r?.t === 'skip';
}

/** Every complete line; a torn last line (power loss mid-write) is ignored. */
export async function readJournal(file: string): Promise<JournalRecord[]> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return [];
    throw err;
  }
  const records: JournalRecord[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      records.push(JSON.parse(line) as JournalRecord);
    } catch {
      // Only the unterminated tail can be torn; whatever it said is redone on resume.
    }
  }
  return records;
}

/** The latest record of each file, by index. */
export function lastRecordPerFile(records: JournalRecord[]): Map<number, FileRecord> {
  const last = new Map<number, FileRecord>();
  for (const r of records) if ('i' in r) last.set(r.i, r);
  return last;
}

const SYNC_INTERVAL_MS = 1000;

/**
 * Append-only JSON lines. Each record is one write() of a whole line, so a killed process leaves whole lines;
 * fsync runs when asked (before an original is deleted, at the end) and at most a second apart otherwise.
 */
export class Journal {
  private lastSync = Date.now();

  private constructor(private fd: number | null) {}

  static async open(file: string): Promise<Journal> {
    const fd = fs.openSync(file, 'a+');
    const { size } = fs.fstatSync(fd);
    if (size > 0) {
      const last = Buffer.alloc(1);
      fs.readSync(fd, last, 0, 1, size - 1);
      // Terminate a torn tail so the next record starts on its own line.
      if (last[0] !== 0x0a) fs.writeSync(fd, '\n');
    }
    return new Journal(fd);
  }

  append(record: JournalRecord, sync = false): void {
    if (this.fd === null) throw new Error('journal is closed');
    fs.writeSync(this.fd, JSON.stringify(record) + '\n');
    if (sync || Date.now() - this.lastSync >= SYNC_INTERVAL_MS) this.sync();
  }

  sync(): void {
    if (this.fd === null) return;
    fs.fsyncSync(this.fd);
    this.lastSync = Date.now();
  }

  close(): void {
    if (this.fd === null) return;
    this.sync();
    fs.closeSync(this.fd);
    this.fd = null;
  }
}

const STALE_EMPTY_LOCK_MS = 10_000;

/**
 * One process per export at a time. A lock left by a killed process on this host is taken over (also when another
 * program has since been given its pid); a live owner
 * (or one on another host, which we cannot check) makes this fail with ExportBusyError.
 */
export async function acquireLock(file: string, exportId: string): Promise<{ release: () => Promise<void> }> {
  // Written aside and linked into place, so a lock file is never seen half-written.
  const mine = `${file}.${process.pid}`;
  await fsp.writeFile(mine, JSON.stringify({ pid: process.pid, host: os.hostname(), start: ownProcessStart() }));
  try {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await publishExclusive(mine, file, { keepTemp: true });
        return { release: () => fsp.rm(file, { force: true }) };
      } catch (err) {
        if (errnoOf(err) !== 'EEXIST') throw err;
      }
      await removeStaleLock(file, exportId);
    }
  } finally {
    await fsp.rm(mine, { force: true });
  }
  throw new Error(`could not take the lock ${file}`);
}

async function removeStaleLock(file: string, exportId: string): Promise<void> {
  let owner: { pid: number; host: string; start?: string | null } | null;
  try {
    owner = JSON.parse(await fsp.readFile(file, 'utf8')) as { pid: number; host: string; start?: string | null };
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return;
    if (!(err instanceof SyntaxError)) throw err;
    owner = null;
  }
  if (!owner) {
    // Empty: claimed on a filesystem without hard links and not yet filled — by a live process unless it is old.
    const age = Date.now() - (await fsp.stat(file)).mtimeMs;
    if (age < STALE_EMPTY_LOCK_MS) throw new ExportBusyError(exportId, null);
  } else if (owner.host !== os.hostname() || recordedProcessAlive(owner.pid, owner.start)) {
    throw new ExportBusyError(exportId, owner.pid);
  }
  await fsp.rm(file, { force: true });
}

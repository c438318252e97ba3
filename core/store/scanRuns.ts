import { ownProcessStart, recordedProcessAlive } from '../processIdentity.js';
import type { Database } from './db.js';
import { nowIso, stmt } from './statements.js';

export type ScanRunState = 'running' | 'completed' | 'cancelled' | 'failed' | 'interrupted';

/** What one scan found or changed; the scan's summary and its `scan_runs` row. */
export interface ScanCounts {
  /** Image files found (including ones that failed). */
  scanned: number;
  /** Photos new to the library, or back after having been missing. */
  added: number;
  /** Photos whose content changed at the same path (same id). */
  changed: number;
  /** Photos found at a new path by content hash (same id). */
  moved: number;
  /** Photos marked missing by this scan. */
  missing: number;
  /** Photos that became recorded copies of another photo in the library. */
  duplicates: number;
  /** Equals errors.length: files (and folders) that could not be used, including ones failing since an earlier scan. */
  failed: number;
  /** Path relative to the library root (display form) and the reason, sorted by path. */
  errors: { path: string; reason: string }[];
}

export interface ScanRunRow extends Omit<ScanCounts, 'errors'> {
  id: number;
  library_id: number;
  pid: number;
  /** See processIdentity.ts; null for runs recorded where it cannot be read. */
  process_start: string | null;
  state: ScanRunState;
  started_at: string;
  finished_at: string | null;
  errors: string;
  message: string | null;
}

/** Runs started by this process and not finished yet: another scan in the same process is live, not stale. */
const activeRuns = new Set<number>();

/**
 * Runs left 'running' by a process that no longer exists (killed, crashed, power loss — also when another program
 * has since been given its pid) become 'interrupted'.
 * Returns a live run of the same library if there is one, so callers can refuse to scan it twice at once.
 */
export function reapStaleRuns(db: Database, libraryId: number): ScanRunRow | undefined {
  const running = stmt<[], ScanRunRow>(db, "SELECT * FROM scan_runs WHERE state = 'running'").all();
  let live: ScanRunRow | undefined;
  for (const run of running) {
    if (run.pid === process.pid ? activeRuns.has(run.id) : recordedProcessAlive(run.pid, run.process_start)) {
      if (run.library_id === libraryId) live ??= run;
      continue;
    }
    stmt(db, "UPDATE scan_runs SET state = 'interrupted', finished_at = ? WHERE id = ? AND state = 'running'").run(nowIso(), run.id);
  }
  return live;
}

export function startScanRun(db: Database, libraryId: number): number {
  const info = stmt(db, "INSERT INTO scan_runs (library_id, pid, process_start, state, started_at) VALUES (?, ?, ?, 'running', ?)").run(
    libraryId,
    process.pid,
    ownProcessStart(),
    nowIso(),
  );
  const id = Number(info.lastInsertRowid);
  activeRuns.add(id);
  return id;
}

/**
 * A stored error keeps the raw path bytes (hex) beside the display path: two names that differ only in bytes that
 * are not UTF-8 display alike, and only the bytes tell which photo an error belongs to.
 */
export interface StoredScanError {
  path: string;
  reason: string;
  rel?: string | undefined;
}

/** `errors` may carry each path's raw bytes (`rel`); they are stored, not shown. */
export function finishScanRun(
  db: Database,
  id: number,
  state: Exclude<ScanRunState, 'running'>,
  counts: Omit<ScanCounts, 'errors'> & { errors: Array<{ path: string; reason: string; rel?: Buffer }> },
  message?: string,
): void {
  const errors: StoredScanError[] = counts.errors.map((e) => ({ path: e.path, reason: e.reason, rel: e.rel?.toString('hex') }));
  stmt(
    db,
    `UPDATE scan_runs SET state = @state, finished_at = @finished_at, scanned = @scanned, added = @added, changed = @changed,
       moved = @moved, missing = @missing, duplicates = @duplicates, failed = @failed, errors = @errors, message = @message
     WHERE id = @id`,
  ).run({ ...counts, id, state, finished_at: nowIso(), errors: JSON.stringify(errors), message: message ?? null });
  activeRuns.delete(id);
}

export function getScanRun(db: Database, id: number): ScanRunRow | undefined {
  return stmt<[number], ScanRunRow>(db, 'SELECT * FROM scan_runs WHERE id = ?').get(id);
}

export function listScanRuns(db: Database, libraryId: number): ScanRunRow[] {
  return stmt<[number], ScanRunRow>(db, 'SELECT * FROM scan_runs WHERE library_id = ? ORDER BY id').all(libraryId);
}

/** The errors (JSON) of the library's last scan that got to the end, cancelled ones included. */
export function lastFinishedScanErrors(db: Database, libraryId: number): string | undefined {
  return stmt<[number], { errors: string }>(
    db,
    `SELECT errors FROM scan_runs WHERE library_id = ? AND state IN ('completed', 'cancelled') ORDER BY id DESC LIMIT 1`,
  ).get(libraryId)?.errors;
}

import type { Database } from './db.js';
import { nowIso, stmt } from './statements.js';

export type ScanRunState = 'running' | 'completed' | 'cancelled' | 'failed' | 'interrupted';

export interface ScanCounts {
  scanned: number;
  added: number;
  changed: number;
  moved: number;
  missing: number;
  duplicates: number;
  failed: number;
  errors: { path: string; reason: string }[];
}

export interface ScanRunRow extends Omit<ScanCounts, 'errors'> {
  id: number;
  library_id: number;
  pid: number;
  state: ScanRunState;
  started_at: string;
  finished_at: string | null;
  errors: string;
  message: string | null;
}

/** Whether a process with this id exists (EPERM means it does, owned by someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Runs started by this process and not finished yet: another scan in the same process is live, not stale. */
const activeRuns = new Set<number>();

/**
 * Runs left 'running' by a process that no longer exists (killed, crashed, power loss) become 'interrupted'.
 * Returns a live run of the same library if there is one, so callers can refuse to scan it twice at once.
 */
export function reapStaleRuns(db: Database, libraryId: number): ScanRunRow | undefined {
  const running = stmt<[], ScanRunRow>(db, "SELECT * FROM scan_runs WHERE state = 'running'").all();
  let live: ScanRunRow | undefined;
  for (const run of running) {
    if (run.pid === process.pid ? activeRuns.has(run.id) : processAlive(run.pid)) {
      if (run.library_id === libraryId) live ??= run;
      continue;
    }
    stmt(db, "UPDATE scan_runs SET state = 'interrupted', finished_at = ? WHERE id = ? AND state = 'running'").run(nowIso(), run.id);
  }
  return live;
}

export function startScanRun(db: Database, libraryId: number): number {
  const info = stmt(db, "INSERT INTO scan_runs (library_id, pid, state, started_at) VALUES (?, ?, 'running', ?)").run(libraryId, process.pid, nowIso());
  const id = Number(info.lastInsertRowid);
  activeRuns.add(id);
  return id;
}

export function finishScanRun(db: Database, id: number, state: Exclude<ScanRunState, 'running'>, counts: ScanCounts, message?: string): void {
  stmt(
    db,
    `UPDATE scan_runs SET state = @state, finished_at = @finished_at, scanned = @scanned, added = @added, changed = @changed,
       moved = @moved, missing = @missing, duplicates = @duplicates, failed = @failed, errors = @errors, message = @message
     WHERE id = @id`,
  ).run({ ...counts, id, state, finished_at: nowIso(), errors: JSON.stringify(counts.errors), message: message ?? null });
  activeRuns.delete(id);
}

export function getScanRun(db: Database, id: number): ScanRunRow | undefined {
  return stmt<[number], ScanRunRow>(db, 'SELECT * FROM scan_runs WHERE id = ?').get(id);
}

export function listScanRuns(db: Database, libraryId: number): ScanRunRow[] {
  return stmt<[number], ScanRunRow>(db, 'SELECT * FROM scan_runs WHERE library_id = ? ORDER BY id').all(libraryId);
}

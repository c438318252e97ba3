/** The `jobs` table: queued and finished long work, with its arguments, last progress, result and error (JSON). */
import type { JobKind, JobState } from '../api.js';
import type { Database } from './db.js';
import type { Migration } from './migrations.js';
import { nowIso, stmt } from './statements.js';

/**
 * Naming a library's changed groups is a job of its own (it needs the ML worker, which runs one task at a time, so
 * it queues behind a grouping like any job). The kinds are a CHECK, which SQLite cannot alter: the table is rebuilt,
 * with the same columns, rows and ids, so grouping runs and training epochs still point at their jobs.
 */
export const namingJobsSchema: Migration = {
  name: 'naming jobs',
  rebuildsTables: true,
  up(db) {
    db.exec(`
      CREATE TABLE jobs_next (
        id INTEGER PRIMARY KEY,
        library_id INTEGER REFERENCES libraries(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('scan', 'features', 'train', 'cluster', 'export', 'names')),
        state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled', 'interrupted')),
        args TEXT NOT NULL,
        progress TEXT,
        result TEXT,
        error TEXT,
        created_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT
      ) STRICT;
      INSERT INTO jobs_next (id, library_id, kind, state, args, progress, result, error, created_at, started_at, finished_at)
        SELECT id, library_id, kind, state, args, progress, result, error, created_at, started_at, finished_at FROM jobs;
      DROP TABLE jobs;
      ALTER TABLE jobs_next RENAME TO jobs;
      CREATE INDEX jobs_by_state ON jobs(state);
      CREATE INDEX jobs_by_library ON jobs(library_id, id);
    `);
  },
};

export interface JobRow {
  id: number;
  library_id: number | null;
  kind: JobKind;
  state: JobState;
  args: string;
  progress: string | null;
  result: string | null;
  error: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

/** Jobs left queued or running by a process that stopped did not finish; returns how many. */
export function interruptUnfinishedJobs(db: Database, error: string): number {
  return stmt(db, `UPDATE jobs SET state = 'interrupted', finished_at = ?, error = COALESCE(error, ?) WHERE state IN ('queued', 'running')`).run(nowIso(), error).changes;
}

export function insertJob(db: Database, libraryId: number | null, kind: string, args: string): number {
  const { lastInsertRowid } = stmt(db, `INSERT INTO jobs (library_id, kind, state, args, created_at) VALUES (?, ?, 'queued', ?, ?)`).run(libraryId, kind, args, nowIso());
  return Number(lastInsertRowid);
}

export function getJobRow(db: Database, id: number): JobRow | undefined {
  return stmt<[number], JobRow>(db, 'SELECT * FROM jobs WHERE id = ?').get(id);
}

/** Newest first; all libraries when `libraryId` is undefined. */
export function listJobRows(db: Database, libraryId: number | undefined, limit: number): JobRow[] {
  if (libraryId === undefined) return stmt<[number], JobRow>(db, 'SELECT * FROM jobs ORDER BY id DESC LIMIT ?').all(limit);
  return stmt<[number, number], JobRow>(db, 'SELECT * FROM jobs WHERE library_id = ? ORDER BY id DESC LIMIT ?').all(libraryId, limit);
}

/**
 * Deletes the library's finished jobs of `kind` older than job `before`, for kinds whose past runs say nothing to the
 * user (a naming job per edit would otherwise crowd the job list and push the grouping out of the newest ones).
 */
export function forgetFinishedJobs(db: Database, libraryId: number, kind: JobKind, before: number): number {
  return stmt(db, `DELETE FROM jobs WHERE library_id = ? AND kind = ? AND id < ? AND state NOT IN ('queued', 'running')`).run(libraryId, kind, before).changes;
}

/** Oldest first: the order they run in. */
export function queuedJobs(db: Database): Array<Pick<JobRow, 'id' | 'kind'>> {
  return stmt<[], Pick<JobRow, 'id' | 'kind'>>(db, `SELECT id, kind FROM jobs WHERE state = 'queued' ORDER BY id`).all();
}

export function requeueJob(db: Database, id: number): void {
  stmt(db, `UPDATE jobs SET state = 'queued', error = NULL, finished_at = NULL WHERE id = ?`).run(id);
}

export function markJobRunning(db: Database, id: number, startedAt: string): void {
  stmt(db, `UPDATE jobs SET state = 'running', started_at = ?, progress = NULL WHERE id = ?`).run(startedAt, id);
}

/** Only while the job runs: a late write must not overwrite the progress its end recorded. */
export function saveJobProgress(db: Database, id: number, progress: string): void {
  stmt(db, `UPDATE jobs SET progress = ? WHERE id = ? AND state = 'running'`).run(progress, id);
}

/** `progress` null keeps the last stored progress. */
export function finishJobRow(db: Database, id: number, end: { state: JobState; result: string | null; error: string | null; progress: string | null }): void {
  stmt(db, `UPDATE jobs SET state = ?, result = ?, error = ?, finished_at = ?, progress = COALESCE(?, progress) WHERE id = ?`).run(
    end.state,
    end.result,
    end.error,
    nowIso(),
    end.progress,
    id,
  );
}


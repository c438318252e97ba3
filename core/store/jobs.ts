/** The `jobs` table: queued and finished long work, with its arguments, last progress, result and error (JSON). */
import type { JobKind, JobState } from '../api.js';
import type { Database } from './db.js';
import type { Migration } from './migrations.js';
import { nowIso, stmt } from './statements.js';
import { ownProcessStart, recordedProcessAlive } from '../processIdentity.js';

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

/**
 * Which process queued or runs each job (pid and start stamp, as scan runs record). Several processes share one
 * database — the app, a CLI command, a second window — and each runs only its own jobs; one starting up marks as
 * interrupted only the jobs of a process that is gone, not those another live process is running. NULL for jobs
 * recorded before: they are treated as their owner gone.
 */
export const jobOwnersSchema: Migration = {
  name: 'jobs record the process that runs them',
  up(db) {
    db.exec(`
      ALTER TABLE jobs ADD COLUMN owner_pid INTEGER;
      ALTER TABLE jobs ADD COLUMN owner_start TEXT;
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
  owner_pid: number | null;
  owner_start: string | null;
}

/**
 * Jobs left queued or running by a process that stopped did not finish; returns how many were marked so. Called as a
 * process's job manager starts: jobs of this same process belong to a manager it no longer has (a restarted service),
 * while those of another live process are that process's to finish.
 */
export function interruptUnfinishedJobs(db: Database, error: string): number {
  const unfinished = stmt<[], Pick<JobRow, 'id' | 'owner_pid' | 'owner_start'>>(db, `SELECT id, owner_pid, owner_start FROM jobs WHERE state IN ('queued', 'running')`).all();
  const mark = stmt(db, `UPDATE jobs SET state = 'interrupted', finished_at = ?, error = COALESCE(error, ?) WHERE id = ? AND state IN ('queued', 'running')`);
  let marked = 0;
  for (const job of unfinished) {
    const elsewhere = job.owner_pid !== null && job.owner_pid !== process.pid && recordedProcessAlive(job.owner_pid, job.owner_start);
    if (!elsewhere) marked += mark.run(nowIso(), error, job.id).changes;
  }
  return marked;
}

export function insertJob(db: Database, libraryId: number | null, kind: string, args: string): number {
  const { lastInsertRowid } = stmt(db, `INSERT INTO jobs (library_id, kind, state, args, created_at, owner_pid, owner_start) VALUES (?, ?, 'queued', ?, ?, ?, ?)`).run(
    libraryId,
    kind,
    args,
    nowIso(),
    process.pid,
    ownProcessStart(),
  );
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

/** This process's queued jobs, oldest first: the order they run in. */
export function queuedJobs(db: Database): Array<Pick<JobRow, 'id' | 'kind'>> {
  return stmt<[number, string | null], Pick<JobRow, 'id' | 'kind'>>(db, `SELECT id, kind FROM jobs WHERE state = 'queued' AND owner_pid = ? AND owner_start IS ? ORDER BY id`).all(
    process.pid,
    ownProcessStart(),
  );
}

/** Back in the queue, now this process's to run. */
export function requeueJob(db: Database, id: number): void {
  stmt(db, `UPDATE jobs SET state = 'queued', error = NULL, finished_at = NULL, owner_pid = ?, owner_start = ? WHERE id = ?`).run(process.pid, ownProcessStart(), id);
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


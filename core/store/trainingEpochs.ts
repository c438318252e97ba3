/**
 * Each training epoch's statistics, recorded as the epoch ends, by grouping job. They let the loss chart of a run that
 * is still training be drawn again after the window reloads, and give a resumed job the epochs from before it stopped.
 */
import type { EpochStats } from '../api.js';
import type { Database } from './db.js';
import type { Migration } from './migrations.js';
import { stmt } from './statements.js';

export const trainingEpochsSchema: Migration = {
  name: 'training epochs recorded as they end',
  up(db) {
    db.exec(`
      CREATE TABLE training_epochs (
        job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
        epoch INTEGER NOT NULL,
        stats TEXT NOT NULL,                  -- JSON EpochStats
        PRIMARY KEY (job_id, epoch)
      ) STRICT;
    `);
  },
};

/** Records an epoch of a job's training; an epoch trained again after resuming replaces the earlier one. */
export function recordEpoch(db: Database, jobId: number, stats: EpochStats): void {
  stmt(db, `INSERT OR REPLACE INTO training_epochs (job_id, epoch, stats) VALUES (?, ?, ?)`).run(jobId, stats.epoch, JSON.stringify(stats));
}

/** The epochs a job has trained so far, first to last. */
export function epochsOfJob(db: Database, jobId: number): EpochStats[] {
  return (stmt(db, `SELECT stats FROM training_epochs WHERE job_id = ? ORDER BY epoch`).pluck().all(jobId) as string[]).map((s) => JSON.parse(s) as EpochStats);
}

/**
 * Clustering runs and the current run's per-photo output (`embeddings`: deep vector for split and map, softmax over
 * the model's outputs for "next best group").
 */
import type { Mode } from '../api.js';
import type { Database } from './db.js';
import { column, stmt } from './statements.js';
import { encodeFloat32 } from './vectors.js';

export interface RunRow {
  id: number;
  library_id: number;
  job_id: number | null;
  mode: Mode;
  backbone: string | null;
  backend: string;
  k: number;
  k_suggested: number | null;
  k_reasoning: string | null;
  config: string;
  started_at: string;
  finished_at: string | null;
  seconds: number | null;
  loss_history: string;
  model_dir: string | null;
  metrics: string | null;
}

export interface EmbeddingRow {
  photo_id: number;
  run_id: number;
  vector: Buffer;
  probs: Buffer;
}

/** A finished run as recorded; JSON columns already serialised. */
export type NewRun = Omit<RunRow, 'id' | 'metrics'>;

export function insertRun(db: Database, run: NewRun): number {
  const info = stmt(
    db,
    `INSERT INTO runs (library_id, job_id, mode, backbone, backend, k, k_suggested, k_reasoning, config, started_at, finished_at, seconds, loss_history, model_dir)
     VALUES (@library_id, @job_id, @mode, @backbone, @backend, @k, @k_suggested, @k_reasoning, @config, @started_at, @finished_at, @seconds, @loss_history, @model_dir)`,
  ).run(run);
  return Number(info.lastInsertRowid);
}

/** Newest first. */
export function listRunRows(db: Database, libraryId: number): RunRow[] {
  return stmt<[number], RunRow>(db, 'SELECT * FROM runs WHERE library_id = ? ORDER BY id DESC').all(libraryId);
}

/** The library's current run, if it has one. */
export function currentRun(db: Database, libraryId: number): RunRow | undefined {
  return stmt<[number], RunRow>(db, 'SELECT r.* FROM libraries l JOIN runs r ON r.id = l.current_run_id WHERE l.id = ?').get(libraryId);
}

export function upsertEmbedding(db: Database, photoId: number, runId: number, vector: Float32Array, probs: Float32Array): void {
  stmt(
    db,
    `INSERT INTO embeddings (photo_id, run_id, vector, probs) VALUES (?, ?, ?, ?)
     ON CONFLICT(photo_id) DO UPDATE SET run_id = excluded.run_id, vector = excluded.vector, probs = excluded.probs`,
  ).run(photoId, runId, encodeFloat32(vector), encodeFloat32(probs));
}

/** The photo's softmax over the current run's outputs (undefined when the run did not see it). */
export function embeddingProbs(db: Database, photoId: number): Buffer | undefined {
  return column<[number], Buffer>(db, 'SELECT probs FROM embeddings WHERE photo_id = ?').get(photoId);
}

/** The photo's vector from the run that last placed it (undefined when no run did). */
export function embeddingVector(db: Database, photoId: number): Buffer | undefined {
  return column<[number], Buffer>(db, 'SELECT vector FROM embeddings WHERE photo_id = ?').get(photoId);
}

/** Vectors of a group's photos, by photo id. */
export function groupEmbeddings(db: Database, clusterId: number): Array<{ photoId: number; vector: Buffer }> {
  return stmt<[number], { photoId: number; vector: Buffer }>(
    db,
    `SELECT a.photo_id AS photoId, e.vector AS vector FROM assignments a JOIN embeddings e ON e.photo_id = a.photo_id
     WHERE a.cluster_id = ? ORDER BY a.photo_id`,
  ).all(clusterId);
}

/** The library's usable photos that have a vector, with the group each is in (null: none), by photo id. */
const LIBRARY_VECTORS = `FROM embeddings e JOIN photos p ON p.id = e.photo_id LEFT JOIN assignments a ON a.photo_id = e.photo_id
     WHERE p.library_id = ? AND p.status = 'ok' ORDER BY e.photo_id`;

/** Without reading the vectors: each photo's group, and the run that stored its vector and the vector's size in bytes. */
export function libraryMemberships(db: Database, libraryId: number): Array<{ photoId: number; clusterId: number | null; runId: number; bytes: number }> {
  return stmt<[number], { photoId: number; clusterId: number | null; runId: number; bytes: number }>(
    db,
    `SELECT e.photo_id AS photoId, a.cluster_id AS clusterId, e.run_id AS runId, length(e.vector) AS bytes ${LIBRARY_VECTORS}`,
  ).all(libraryId);
}

/** Vectors of the library's usable photos with the group each is in and the run that stored the vector, by photo id. */
export function libraryEmbeddings(db: Database, libraryId: number): Array<{ photoId: number; vector: Buffer; clusterId: number | null; runId: number }> {
  return stmt<[number], { photoId: number; vector: Buffer; clusterId: number | null; runId: number }>(
    db,
    `SELECT e.photo_id AS photoId, e.vector AS vector, a.cluster_id AS clusterId, e.run_id AS runId ${LIBRARY_VECTORS}`,
  ).all(libraryId);
}

/**
 * Turns a finished training run into groups without losing what the user did: the new run's clusters are matched to
 * the existing groups by overlap (Hungarian on the contingency table), so group ids, names and hidden flags carry
 * over; photos the user placed stay where they are; "not this group" is respected.
 */
import { munkres } from 'munkres';
import type { Database } from '../store/db.js';
import type { EpochStats, Mode } from '../api.js';
import type { EditLog } from './edits.js';
import type { ClusterTaskResult } from '../ml/taskTypes.js';
import { encodeFloat32 } from '../store/vectors.js';

/** What the ML worker returns for a run: one row per distinct photo content. */
export type RunPredictions = Pick<ClusterTaskResult, 'hashes' | 'cluster' | 'confidence' | 'embeddingDim' | 'embeddings' | 'probs' | 'k'>;

export interface RunRecord {
  jobId: number | null;
  mode: Mode;
  backbone: string | null;
  backend: string;
  kSuggested: number | null;
  kReasoning: string | null;
  config: Record<string, unknown>;
  startedAt: string;
  seconds: number;
  lossHistory: EpochStats[];
  modelDir: string | null;
}

interface PhotoRow {
  id: number;
  hash: string;
  cluster_id: number | null;
  source: 'model' | 'user' | null;
}

/** Best one-to-one pairs of rows and columns maximising `overlap[r][c]`; pairs with no overlap are dropped. */
export function matchByOverlap(overlap: number[][]): Array<[number, number]> {
  const rows = overlap.length;
  const cols = overlap[0]?.length ?? 0;
  if (rows === 0 || cols === 0) return [];
  const size = Math.max(rows, cols);
  let max = 0;
  for (const row of overlap) for (const v of row) max = Math.max(max, v);
  const cost = Array.from({ length: size }, (_, r) => Array.from({ length: size }, (_, c) => max - (overlap[r]?.[c] ?? 0)));
  return (munkres(cost) as Array<[number, number]>).filter(([r, c]) => r < rows && c < cols && overlap[r]![c]! > 0);
}

/** Picks the most likely model output whose group the photo was not rejected from; null when none is left. */
export function bestAllowed(probs: Float32Array, offset: number, k: number, groupOf: (index: number) => number | undefined, rejected: Set<number> | undefined): { index: number; p: number } | null {
  let best: { index: number; p: number } | null = null;
  for (let i = 0; i < k; i++) {
    const g = groupOf(i);
    if (g === undefined || rejected?.has(g)) continue;
    const p = probs[offset + i]!;
    if (!best || p > best.p) best = { index: i, p };
  }
  return best;
}

function rejectionsOf(db: Database, libraryId: number): Map<number, Set<number>> {
  const map = new Map<number, Set<number>>();
  const rows = db
    .prepare(`SELECT r.photo_id, r.cluster_id FROM rejections r JOIN photos p ON p.id = r.photo_id WHERE p.library_id = ?`)
    .all(libraryId) as Array<{ photo_id: number; cluster_id: number }>;
  for (const r of rows) {
    let set = map.get(r.photo_id);
    if (!set) map.set(r.photo_id, (set = new Set()));
    set.add(r.cluster_id);
  }
  return map;
}

function uniqueGroupName(taken: Set<string>, n: number): string {
  let i = n;
  while (taken.has(`Group ${i}`)) i++;
  const name = `Group ${i}`;
  taken.add(name);
  return name;
}

/** Records the run and re-groups the library in one transaction; returns the new run's id. */
export function applyRun(db: Database, editLog: EditLog, libraryId: number, run: RunRecord, pred: RunPredictions): number {
  return db.transaction(() => {
    const now = new Date().toISOString();
    const runId = Number(
      db
        .prepare(
          `INSERT INTO runs (library_id, job_id, mode, backbone, backend, k, k_suggested, k_reasoning, config, started_at, finished_at, seconds, loss_history, model_dir)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(libraryId, run.jobId, run.mode, run.backbone, run.backend, pred.k, run.kSuggested, run.kReasoning, JSON.stringify(run.config), run.startedAt, now, run.seconds, JSON.stringify(run.lossHistory), run.modelDir)
        .lastInsertRowid,
    );

    const indexOfHash = new Map(pred.hashes.map((h, i) => [h, i]));
    const photos = (
      db
        .prepare(
          `SELECT p.id, p.content_hash AS hash, a.cluster_id, a.source FROM photos p LEFT JOIN assignments a ON a.photo_id = p.id
           WHERE p.library_id = ? AND p.status = 'ok' AND p.content_hash IS NOT NULL`,
        )
        .all(libraryId) as PhotoRow[]
    ).filter((p) => indexOfHash.has(p.hash));

    // Match new model outputs to existing groups by how many photos they share.
    const oldIds = [...new Set(photos.map((p) => p.cluster_id).filter((c): c is number => c !== null))];
    const oldCol = new Map(oldIds.map((id, c) => [id, c]));
    const overlap = Array.from({ length: pred.k }, () => new Array<number>(oldIds.length).fill(0));
    for (const p of photos) {
      if (p.cluster_id === null) continue;
      overlap[pred.cluster[indexOfHash.get(p.hash)!]!]![oldCol.get(p.cluster_id)!]! += 1;
    }
    const groupOfIndex = new Map<number, number>();
    for (const [r, c] of matchByOverlap(overlap)) groupOfIndex.set(r, oldIds[c]!);

    db.prepare(`UPDATE clusters SET model_index = NULL WHERE library_id = ?`).run(libraryId);
    const setIndex = db.prepare(`UPDATE clusters SET model_index = ? WHERE id = ?`);
    for (const [index, id] of groupOfIndex) setIndex.run(index, id);
    // Outputs with no matching group get new groups, numbered by size so "Group 1" is the largest.
    const sizes = new Array<number>(pred.k).fill(0);
    for (let i = 0; i < pred.cluster.length; i++) sizes[pred.cluster[i]!]! += 1;
    const taken = new Set(db.prepare(`SELECT name FROM clusters WHERE library_id = ?`).pluck().all(libraryId) as string[]);
    const insert = db.prepare(`INSERT INTO clusters (library_id, name, user_named, hidden, model_index, created_at) VALUES (?, ?, 0, 0, ?, ?)`);
    const unmatched = [...Array(pred.k).keys()].filter((i) => !groupOfIndex.has(i) && sizes[i]! > 0).sort((a, b) => sizes[b]! - sizes[a]! || a - b);
    let n = 1;
    for (const index of unmatched) {
      const name = uniqueGroupName(taken, n++);
      groupOfIndex.set(index, Number(insert.run(libraryId, name, index, now).lastInsertRowid));
    }

    const rejected = rejectionsOf(db, libraryId);
    const upsert = db.prepare(
      `INSERT INTO assignments (photo_id, cluster_id, confidence, source, run_id, is_new) VALUES (?, ?, ?, 'model', ?, 0)
       ON CONFLICT(photo_id) DO UPDATE SET cluster_id = excluded.cluster_id, confidence = excluded.confidence, source = 'model',
         run_id = excluded.run_id, is_new = 0`,
    );
    const unassign = db.prepare(`DELETE FROM assignments WHERE photo_id = ?`);
    const clearNew = db.prepare(`UPDATE assignments SET is_new = 0 WHERE photo_id = ?`);
    const embed = db.prepare(
      `INSERT INTO embeddings (photo_id, run_id, vector, probs) VALUES (?, ?, ?, ?)
       ON CONFLICT(photo_id) DO UPDATE SET run_id = excluded.run_id, vector = excluded.vector, probs = excluded.probs`,
    );
    const D = pred.embeddingDim;
    for (const p of photos) {
      const i = indexOfHash.get(p.hash)!;
      embed.run(p.id, runId, encodeFloat32(pred.embeddings.subarray(i * D, (i + 1) * D)), encodeFloat32(pred.probs.subarray(i * pred.k, (i + 1) * pred.k)));
      if (p.source === 'user') {
        clearNew.run(p.id); // pinned by the user: stays where it is
        continue;
      }
      const choice = bestAllowed(pred.probs, i * pred.k, pred.k, (idx) => groupOfIndex.get(idx), rejected.get(p.id));
      if (!choice) unassign.run(p.id);
      else upsert.run(p.id, groupOfIndex.get(choice.index)!, choice.index === pred.cluster[i] ? pred.confidence[i]! : choice.p, runId);
    }

    // Groups left without photos (the new run no longer sees them, and nothing of the user's is in them) go away.
    db.prepare(`DELETE FROM clusters WHERE library_id = ? AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.cluster_id = clusters.id)`).run(libraryId);
    db.prepare(`UPDATE libraries SET current_run_id = ? WHERE id = ?`).run(runId, libraryId);
    editLog.sealForNewRun(libraryId);
    return runId;
  }).immediate();
}

/**
 * Places photos that arrived after the run with the run's model: flagged new, never overriding a user's choice.
 * Returns how many were placed.
 */
export function applyNewPhotoPredictions(db: Database, libraryId: number, runId: number, pred: RunPredictions): number {
  return db.transaction(() => {
    const groupOfIndex = new Map(
      (db.prepare(`SELECT id, model_index FROM clusters WHERE library_id = ? AND model_index IS NOT NULL`).all(libraryId) as Array<{ id: number; model_index: number }>).map((r) => [r.model_index, r.id]),
    );
    const indexOfHash = new Map(pred.hashes.map((h, i) => [h, i]));
    const photos = db
      .prepare(
        `SELECT p.id, p.content_hash AS hash FROM photos p LEFT JOIN assignments a ON a.photo_id = p.id
         WHERE p.library_id = ? AND p.status = 'ok' AND p.content_hash IS NOT NULL AND a.photo_id IS NULL`,
      )
      .all(libraryId) as Array<{ id: number; hash: string }>;
    const rejected = rejectionsOf(db, libraryId);
    const insert = db.prepare(`INSERT INTO assignments (photo_id, cluster_id, confidence, source, run_id, is_new) VALUES (?, ?, ?, 'model', ?, 1)`);
    const embed = db.prepare(
      `INSERT INTO embeddings (photo_id, run_id, vector, probs) VALUES (?, ?, ?, ?)
       ON CONFLICT(photo_id) DO UPDATE SET run_id = excluded.run_id, vector = excluded.vector, probs = excluded.probs`,
    );
    const D = pred.embeddingDim;
    let placed = 0;
    for (const p of photos) {
      const i = indexOfHash.get(p.hash);
      if (i === undefined) continue;
      embed.run(p.id, runId, encodeFloat32(pred.embeddings.subarray(i * D, (i + 1) * D)), encodeFloat32(pred.probs.subarray(i * pred.k, (i + 1) * pred.k)));
      const choice = bestAllowed(pred.probs, i * pred.k, pred.k, (idx) => groupOfIndex.get(idx), rejected.get(p.id));
      if (!choice) continue;
      insert.run(p.id, groupOfIndex.get(choice.index)!, choice.index === pred.cluster[i] ? pred.confidence[i]! : choice.p, runId);
      placed++;
    }
    return placed;
  }).immediate();
}

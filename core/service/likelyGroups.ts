/**
 * Where else a photo could be: the library's groups ranked by how close each group's centre is to the photo — the
 * cosine between the photo's vector and the direction of its photos' summed unit vectors, all as the grouping stored
 * them. "Not this group" sends a photo to the first of them, and Review offers them first, so one key moves a photo
 * the grouping got wrong to its home far more often than the biggest-first order did.
 *
 * Centres rather than the run's own scores (the order before): among the unsure photos placed outside their kind's
 * group, the right group is within keys 1–3 more often (better in 15 of 24 bench runs, worse in 2; 1,341 clothing
 * photos grouped by default 84–91 % against 80–87 %) and on key 1 about as often (better in 12, worse in 6; there
 * 47–52 % against 50–53 %; bench/finetune.ts `reviewTargets`, README "Edits and re-grouping"). And centres follow the
 * user: a group made by hand or by a split, which no model output feeds, is ranked like the rest, and every group's
 * centre moves with the photos moved into or out of it.
 */
import { writeMark, type Database } from '../store/db.js';
import { groupsByModelOutput, groupsRejectedBy } from '../store/groups.js';
import { embeddingProbs, embeddingVector, libraryEmbeddings } from '../store/runs.js';
import { decodeFloat32 } from '../store/vectors.js';

/** Each group's centre (unit length), for vectors of `dim` numbers. */
export interface GroupCentres {
  dim: number;
  byGroup: Map<number, Float32Array>;
}

const cache = new WeakMap<Database, Map<number, { mark: string; centres: GroupCentres }>>();

function unitRow(v: Float32Array): Float32Array {
  let norm = 0;
  for (const x of v) norm += x * x;
  norm = Math.sqrt(norm);
  return norm > 0 ? v.map((x) => x / norm) : v;
}

/** Each group's centre: its rows' vectors, each made unit length, summed and made unit length. */
export function centresOf(rows: Iterable<{ vector: Float32Array; group: number }>, dim: number): Map<number, Float32Array> {
  const sums = new Map<number, Float64Array>();
  for (const r of rows) {
    const v = unitRow(r.vector);
    const sum = sums.get(r.group) ?? new Float64Array(dim);
    for (let d = 0; d < dim; d++) sum[d] = sum[d]! + v[d]!;
    sums.set(r.group, sum);
  }
  return new Map([...sums].map(([group, sum]) => [group, unitRow(Float32Array.from(sum))]));
}

/** The groups of `centres` other than those `skip` names, nearest `vector` first (equal ones in id order). */
export function nearestCentres(vector: Float32Array, centres: ReadonlyMap<number, Float32Array>, skip: (group: number) => boolean = () => false): Array<{ group: number; similarity: number }> {
  const v = unitRow(vector);
  const out: Array<{ group: number; similarity: number }> = [];
  for (const [group, centre] of centres) {
    if (skip(group)) continue;
    let similarity = 0;
    for (let d = 0; d < v.length; d++) similarity += v[d]! * centre[d]!;
    out.push({ group, similarity });
  }
  return out.sort((a, b) => b.similarity - a.similarity || a.group - b.group);
}

/**
 * The centres of the library's groups (centresOf); vectors of another length than most photos' (left from an older
 * run) are left out. Kept until the database is next written to: reading every photo's vector takes tens of
 * milliseconds on a thousand photos, and Review asks for a ranking per photo shown.
 */
export function groupCentres(db: Database, libraryId: number): GroupCentres {
  const mark = writeMark(db);
  const perLibrary = cache.get(db) ?? new Map<number, { mark: string; centres: GroupCentres }>();
  cache.set(db, perLibrary);
  const hit = perLibrary.get(libraryId);
  if (hit?.mark === mark) return hit.centres;
  const rows = libraryEmbeddings(db, libraryId).filter((r) => r.clusterId !== null && r.vector.byteLength > 0);
  const lengths = new Map<number, number>();
  for (const r of rows) lengths.set(r.vector.byteLength, (lengths.get(r.vector.byteLength) ?? 0) + 1);
  const bytes = [...lengths].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0] ?? 0;
  const dim = bytes / 4;
  const byGroup = centresOf(rows.filter((r) => r.vector.byteLength === bytes).map((r) => ({ vector: decodeFloat32(r.vector), group: r.clusterId! })), dim);
  const centres = { dim, byGroup };
  perLibrary.set(libraryId, { mark, centres });
  return centres;
}

export interface LikelyGroup {
  clusterId: number;
  /** Cosine between the photo and the group's centre. */
  similarity: number;
  /** The grouping's model's probability for the group, where a model output feeds it (null otherwise). */
  p: number | null;
}

/**
 * The groups with photos, closest centre first, leaving out those the user said `photoId` is not in and `exclude`
 * (its own group, usually). Empty when the photo has no vector (no grouping placed it yet). `centres` may be passed in
 * by a caller ranking many photos against the groups as they were.
 */
export function likelyGroups(db: Database, libraryId: number, photoId: number, exclude: number | null = null, centres = groupCentres(db, libraryId)): LikelyGroup[] {
  const blob = embeddingVector(db, photoId);
  if (!blob || blob.byteLength !== centres.dim * 4 || centres.dim === 0) return [];
  const rejected = new Set(groupsRejectedBy(db, photoId));
  const probsBlob = embeddingProbs(db, photoId);
  const probs = probsBlob ? decodeFloat32(probsBlob) : null;
  const probOf = new Map<number, number>();
  if (probs) for (const [index, clusterId] of groupsByModelOutput(db, libraryId)) if (index < probs.length) probOf.set(clusterId, probs[index]!);
  return nearestCentres(decodeFloat32(blob), centres.byGroup, (g) => g === exclude || rejected.has(g)).map(({ group, similarity }) => ({
    clusterId: group,
    similarity,
    p: probOf.get(group) ?? null,
  }));
}

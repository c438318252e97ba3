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
import { groupsByModelOutput, groupsRejectedBy, hiddenClusterIds } from '../store/groups.js';
import { embeddingProbs, embeddingVector, libraryEmbeddings, libraryMemberships } from '../store/runs.js';
import { decodeFloat32 } from '../store/vectors.js';
import { l2Normalize } from '../ml/rows.js';

/** Each group's centre (unit length), for vectors of `dim` numbers. */
export interface GroupCentres {
  dim: number;
  byGroup: Map<number, Float32Array>;
}

const unitRow = (v: Float32Array) => l2Normalize(v, 1, v.length);

/** Running sums of each group's unit vectors, from which its centre is read. */
class GroupSums {
  readonly centres = new Map<number, Float32Array>();
  private readonly sums = new Map<number, { sum: Float64Array; photos: number }>();
  private readonly stale = new Set<number>();

  constructor(readonly dim: number) {}

  /** A photo's vector leaves group `from` and joins group `to` (either null: it joins or leaves the groups). */
  move(vector: Float32Array, from: number | null, to: number | null): void {
    const v = unitRow(vector);
    for (const [group, sign] of [[from, -1], [to, 1]] as const) {
      if (group === null) continue;
      const s = this.sums.get(group) ?? { sum: new Float64Array(this.dim), photos: 0 };
      for (let d = 0; d < this.dim; d++) s.sum[d] = s.sum[d]! + sign * v[d]!;
      s.photos += sign;
      this.sums.set(group, s);
      this.stale.add(group);
    }
  }

  /** The centres, each group moved into or out of since read again; a group left without photos has none. */
  read(): Map<number, Float32Array> {
    for (const group of this.stale) {
      const s = this.sums.get(group)!;
      if (s.photos > 0) this.centres.set(group, unitRow(Float32Array.from(s.sum)));
      else {
        this.sums.delete(group);
        this.centres.delete(group);
      }
    }
    this.stale.clear();
    return this.centres;
  }
}

/** Each group's centre: its rows' vectors, each made unit length, summed and made unit length. */
export function centresOf(rows: Iterable<{ vector: Float32Array; group: number }>, dim: number): Map<number, Float32Array> {
  const sums = new GroupSums(dim);
  for (const r of rows) sums.move(r.vector, null, r.group);
  return sums.read();
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

/** What groupCentres keeps per library: the sums behind the centres, and which photo (by which run's vector) is in which group. */
interface Kept {
  mark: string;
  bytes: number;
  members: Map<number, { group: number; run: number }>;
  sums: GroupSums;
}

const kept = new WeakMap<Database, Map<number, Kept>>();

function computeCentres(db: Database, libraryId: number, mark: string): Kept {
  const rows = libraryEmbeddings(db, libraryId).filter((r) => r.clusterId !== null && r.vector.byteLength > 0);
  const lengths = new Map<number, number>();
  for (const r of rows) lengths.set(r.vector.byteLength, (lengths.get(r.vector.byteLength) ?? 0) + 1);
  const bytes = [...lengths].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0] ?? 0;
  const state: Kept = { mark, bytes, members: new Map(), sums: new GroupSums(bytes / 4) };
  for (const r of rows) {
    if (r.vector.byteLength !== bytes) continue;
    state.members.set(r.photoId, { group: r.clusterId!, run: r.runId });
    state.sums.move(decodeFloat32(r.vector), null, r.clusterId!);
  }
  return state;
}

/**
 * Brings kept centres up to date by the photos that changed group since (moves, merges, splits, new photos placed).
 * False where that is not the cheaper way or cannot be done: a new run rewrote the vectors, a photo left the library,
 * or many photos changed group.
 */
function updateCentres(db: Database, state: Kept, libraryId: number): boolean {
  const changed: Array<{ photoId: number; from: number | null; to: number | null; run: number }> = [];
  const rows = libraryMemberships(db, libraryId);
  let stillThere = 0;
  for (const r of rows) {
    const was = state.members.get(r.photoId);
    if (was) stillThere++;
    if (was && was.run !== r.runId) return false;
    const to = r.clusterId !== null && r.bytes === state.bytes ? r.clusterId : null;
    if ((was?.group ?? null) !== to) changed.push({ photoId: r.photoId, from: was?.group ?? null, to, run: r.runId });
  }
  if (stillThere < state.members.size || changed.length > Math.max(50, rows.length / 10)) return false;
  for (const c of changed) {
    const blob = embeddingVector(db, c.photoId);
    if (!blob || blob.byteLength !== state.bytes) return false;
    state.sums.move(decodeFloat32(blob), c.from, c.to);
    if (c.to === null) state.members.delete(c.photoId);
    else state.members.set(c.photoId, { group: c.to, run: c.run });
  }
  return true;
}

/**
 * The centres of the library's groups (centresOf); vectors of another length than most photos' (left from an older
 * run) are left out. Kept between calls and brought up to date by the photos that changed group since: reading every
 * photo's vector takes half a second on 10,000 photos, and Review asks for a ranking per photo shown, after every edit.
 */
export function groupCentres(db: Database, libraryId: number): GroupCentres {
  const mark = writeMark(db);
  const perLibrary = kept.get(db) ?? new Map<number, Kept>();
  kept.set(db, perLibrary);
  let state = perLibrary.get(libraryId);
  if (state?.mark !== mark) {
    if (state && updateCentres(db, state, libraryId)) state.mark = mark;
    else perLibrary.set(libraryId, (state = computeCentres(db, libraryId, mark)));
  }
  return { dim: state.sums.dim, byGroup: new Map(state.sums.read()) };
}

export interface LikelyGroup {
  clusterId: number;
  /** Cosine between the photo and the group's centre. */
  similarity: number;
}

/**
 * The groups with photos, closest centre first, leaving out those the user said `photoId` is not in, those the user
 * hid (the app puts no photo there on its own), and `exclude` (its own group, usually). Empty when the photo has no
 * vector (no grouping placed it yet). `centres` may be passed in by a caller ranking many photos against the groups as
 * they were.
 */
export function likelyGroups(db: Database, libraryId: number, photoId: number, exclude: number | null = null, centres = groupCentres(db, libraryId)): LikelyGroup[] {
  const blob = embeddingVector(db, photoId);
  if (!blob || blob.byteLength !== centres.dim * 4 || centres.dim === 0) return [];
  const left = new Set([...groupsRejectedBy(db, photoId), ...hiddenClusterIds(db, libraryId)]);
  return nearestCentres(decodeFloat32(blob), centres.byGroup, (g) => g === exclude || left.has(g)).map(({ group, similarity }) => ({ clusterId: group, similarity }));
}

/**
 * The grouping's model's probability that `photoId` belongs in `clusterId`; null where no model output feeds that
 * group or the run did not see the photo. `byModelOutput` (groupsByModelOutput) may be passed in by a caller asking
 * for many photos.
 */
export function modelProbability(db: Database, libraryId: number, photoId: number, clusterId: number, byModelOutput = groupsByModelOutput(db, libraryId)): number | null {
  const blob = embeddingProbs(db, photoId);
  if (!blob) return null;
  const probs = decodeFloat32(blob);
  for (const [index, group] of byModelOutput) if (group === clusterId && index < probs.length) return probs[index]!;
  return null;
}

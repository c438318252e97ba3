import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../store/db.js';
import { applyNewPhotoPredictions, applyRun, type RunRecord } from './applyRun.js';
import { matchByOverlap } from './regroupPlan.js';
import { sqlRows, sqlValue, sqlValues } from '../store/testing.js';
import { predictions, seedLibrary } from '../../test/fixtures/library.js';
import { EditLog } from './edits.js';
import { GroupEditor } from './groupEdits.js';

const RUN: RunRecord = {
  jobId: null,
  mode: 'finetune',
  backbone: 'mobilenet_v1_0.75_224',
  backend: 'cpu',
  kSuggested: null,
  kReasoning: null,
  config: {},
  startedAt: new Date(0).toISOString(),
  seconds: 1,
  lossHistory: [],
  modelDir: null,
};

interface Snapshot {
  clusters: unknown[];
  assignments: unknown[];
  rejections: unknown[];
}

function snapshot(db: Database): Snapshot {
  return {
    clusters: sqlRows(db, `SELECT * FROM clusters ORDER BY id`),
    assignments: sqlRows(db, `SELECT * FROM assignments ORDER BY photo_id`),
    rejections: sqlRows(db, `SELECT * FROM rejections ORDER BY photo_id, cluster_id`),
  };
}

function groupOf(db: Database, photoId: number): number | null {
  return (sqlValue(db, `SELECT cluster_id FROM assignments WHERE photo_id = ?`, photoId) as number | undefined) ?? null;
}

function clusterByName(db: Database, name: string): number {
  const id = sqlValue(db, `SELECT id FROM clusters WHERE name = ?`, name) as number | undefined;
  if (id === undefined) throw new Error(`no cluster named ${name}`);
  return id;
}

describe('group edits with undo/redo on a real database', () => {
  let dir: string;
  let db: Database;
  let log: EditLog;
  let editor: GroupEditor;
  let lib: ReturnType<typeof seedLibrary>;
  // 12 photos: 0-5 → model output 0, 6-8 → 1, 9-11 → 2
  const labels = [0, 0, 0, 0, 0, 0, 1, 1, 1, 2, 2, 2];

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-edits-'));
    db = openDatabase(path.join(dir, 'test.db'));
    log = new EditLog(db);
    editor = new GroupEditor(db, log);
    lib = seedLibrary(db, labels.length);
    applyRun(db, log, lib.libraryId, RUN, predictions(lib.hashes, labels, 3));
  });
  afterEach(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('names the first run\'s groups by size and records it as current', () => {
    const names = sqlRows(db, `SELECT name, model_index FROM clusters ORDER BY model_index`);
    expect(names).toEqual([
      { name: 'Group 1', model_index: 0 },
      { name: 'Group 2', model_index: 1 },
      { name: 'Group 3', model_index: 2 },
    ]);
    expect(sqlValue(db, `SELECT current_run_id FROM libraries`)).toBe(sqlValue(db, `SELECT id FROM runs`));
    expect(sqlValue(db, `SELECT COUNT(*) FROM embeddings`)).toBe(12);
  });

  it('undoes and redoes every kind of edit exactly, in order', () => {
    const states: Snapshot[] = [snapshot(db)];
    const g1 = clusterByName(db, 'Group 1');
    const g2 = clusterByName(db, 'Group 2');
    const g3 = clusterByName(db, 'Group 3');
    editor.rename(g1, 'Cats');
    states.push(snapshot(db));
    const moved = editor.move([lib.photoIds[0]!, lib.photoIds[1]!], { clusterId: g2 });
    expect(moved.edit?.description).toBe('Moved 2 photos to “Group 2”');
    states.push(snapshot(db));
    const fresh = editor.move([lib.photoIds[2]!], { newCluster: 'Dogs' });
    expect(fresh.createdClusterIds).toHaveLength(1);
    states.push(snapshot(db));
    editor.merge([g2, g3], 'Vehicles');
    expect(sqlValue(db, `SELECT COUNT(*) FROM clusters WHERE id = ?`, g3)).toBe(0);
    states.push(snapshot(db));
    editor.setHidden(fresh.createdClusterIds[0]!, true);
    states.push(snapshot(db));
    editor.reject(g1, [lib.photoIds[3]!]);
    states.push(snapshot(db));
    editor.accept([lib.photoIds[4]!]);
    states.push(snapshot(db));
    editor.split(g2, 2, (vectors) => vectors.map((v) => (v[0] === 1 ? 0 : 1)));
    states.push(snapshot(db));

    for (let i = states.length - 2; i >= 0; i--) {
      expect(log.undo(lib.libraryId)).not.toBeNull();
      expect(snapshot(db), `after undoing back to state ${i}`).toEqual(states[i]);
    }
    expect(log.undo(lib.libraryId)).toBeNull();
    for (let i = 1; i < states.length; i++) {
      expect(log.redo(lib.libraryId)).not.toBeNull();
      expect(snapshot(db), `after redoing state ${i}`).toEqual(states[i]);
    }
    expect(log.redo(lib.libraryId)).toBeNull();
    expect(sqlRows(db, `PRAGMA foreign_key_check`)).toEqual([]);
  });

  it('merge and split never pin; a split of a merged group separates what was merged; each undoes exactly', () => {
    const g2 = clusterByName(db, 'Group 2');
    const g3 = clusterByName(db, 'Group 3');
    const pinned = lib.photoIds[6]!;
    editor.move([pinned], { clusterId: g2 }); // the user's own pin, already in Group 2: a move that changes source only
    const sourceOf = (id: number) => sqlValue(db, `SELECT source FROM assignments WHERE photo_id = ?`, id);
    expect(sourceOf(pinned)).toBe('user');
    const beforeMerge = snapshot(db);
    editor.merge([g2, g3]);
    const merged = lib.photoIds.slice(6);
    expect(merged.map((id) => groupOf(db, id))).toEqual(merged.map(() => g2));
    // Only the photo the user moved is pinned; the merge pinned nothing.
    expect(merged.filter((id) => sourceOf(id) === 'user')).toEqual([pinned]);
    const afterMerge = snapshot(db);
    // The seeded embeddings carry the model output in their first coordinate: split by it.
    const out = editor.split(g2, 2, (vectors) => vectors.map((v) => (v[0] === 1 ? 0 : 1)));
    const [other] = out.createdClusterIds;
    const parts = new Set(merged.map((id) => groupOf(db, id)));
    expect(parts).toEqual(new Set([g2, other]));
    expect(new Set(lib.photoIds.slice(6, 9).map((id) => groupOf(db, id))).size).toBe(1);
    expect(new Set(lib.photoIds.slice(9).map((id) => groupOf(db, id))).size).toBe(1);
    expect(groupOf(db, lib.photoIds[6]!)).not.toBe(groupOf(db, lib.photoIds[9]!));
    expect(merged.filter((id) => sourceOf(id) === 'user')).toEqual([pinned]);
    log.undo(lib.libraryId);
    expect(snapshot(db)).toEqual(afterMerge);
    log.undo(lib.libraryId);
    expect(snapshot(db)).toEqual(beforeMerge);
  });

  it('pins moved photos and drops groups a move emptied (undo brings them back)', () => {
    const g3 = clusterByName(db, 'Group 3');
    const g1 = clusterByName(db, 'Group 1');
    editor.rename(g3, 'Boats');
    const before = snapshot(db);
    editor.move(lib.photoIds.slice(9), { clusterId: g1 });
    expect(sqlValue(db, `SELECT COUNT(*) FROM clusters WHERE id = ?`, g3)).toBe(0);
    expect(sqlValues(db, `SELECT DISTINCT source FROM assignments WHERE photo_id IN (?, ?, ?)`, ...lib.photoIds.slice(9))).toEqual(['user']);
    log.undo(lib.libraryId);
    expect(snapshot(db)).toEqual(before);
    expect(sqlValue(db, `SELECT name FROM clusters WHERE id = ?`, g3)).toBe('Boats');
  });

  it('"not this group" sends a photo to the group nearest it and never back', () => {
    // Grouped again with the photos placed so: Group 1 (output 0) along x, Group 2 along y, Group 3 between them.
    applyRun(db, log, lib.libraryId, RUN, predictions(lib.hashes, labels, 3, labels.map((l) => [[1, 0], [0, 1], [1, 1]][l]!)));
    const [g1, g2, g3] = ['Group 1', 'Group 2', 'Group 3'].map((name) => clusterByName(db, name));
    editor.reject(g1!, [lib.photoIds[0]!]);
    // Photo 0 (along x) is nearer Group 3's centre (45° away) than Group 2's (90°).
    expect(groupOf(db, lib.photoIds[0]!)).toBe(g3);
    // Said not to be there either: the next nearest.
    editor.reject(g3!, [lib.photoIds[0]!]);
    expect(groupOf(db, lib.photoIds[0]!)).toBe(g2);
    expect(sqlValue(db, `SELECT COUNT(*) FROM rejections WHERE photo_id = ?`, lib.photoIds[0]!)).toBe(2);
  });

  it('a new edit discards what could have been redone; history lists the edits', () => {
    const g1 = clusterByName(db, 'Group 1');
    editor.rename(g1, 'A');
    editor.rename(g1, 'B');
    log.undo(lib.libraryId);
    expect(log.history(lib.libraryId, 10)).toMatchObject({ canUndo: true, canRedo: true });
    editor.rename(g1, 'C');
    const h = log.history(lib.libraryId, 10);
    expect(h.canRedo).toBe(false);
    expect(h.entries.map((e) => e.description)).toEqual(['Renamed “A” to “C”', 'Renamed “Group 1” to “A”']);
    // An edit that changes nothing is not recorded.
    expect(editor.rename(g1, 'C').edit).toBeNull();
  });

  it('refuses edits that mix libraries or name unknown things', () => {
    const other = seedLibrary(db, 2, '/other');
    const g1 = clusterByName(db, 'Group 1');
    expect(() => editor.move([other.photoIds[0]!], { clusterId: g1 })).toThrow(/different libraries/);
    expect(() => editor.move([lib.photoIds[0]!, other.photoIds[0]!], { clusterId: g1 })).toThrow(/different libraries/);
    expect(() => editor.rename(99999, 'x')).toThrow(/no group/);
    expect(() => editor.merge([g1, g1])).toThrow(/two different groups/);
    expect(() => editor.split(g1, 50, () => [])).toThrow(/cannot be split/);
  });
});

describe('a new run keeps what the user did', () => {
  let dir: string;
  let db: Database;
  let log: EditLog;
  let editor: GroupEditor;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-rerun-'));
    db = openDatabase(path.join(dir, 'test.db'));
    log = new EditLog(db);
    editor = new GroupEditor(db, log);
  });
  afterEach(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('maps clusters by overlap, carries names over, keeps pinned photos and rejections', () => {
    const lib = seedLibrary(db, 12);
    // Output 2's photos lie nearer output 0's (the cats) than output 1's.
    const first = [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2];
    applyRun(db, log, lib.libraryId, RUN, predictions(lib.hashes, first, 3, first.map((l) => [[1, 0], [0, 1], [1, 0.3]][l]!)));
    const cats = clusterByName(db, 'Group 1');
    const ships = clusterByName(db, 'Group 2');
    editor.rename(cats, 'Cats');
    editor.rename(ships, 'Ships');
    editor.setHidden(ships, true);
    editor.move([lib.photoIds[0]!], { clusterId: ships }); // the user says photo 0 is a ship
    editor.reject(clusterByName(db, 'Group 3'), [lib.photoIds[8]!]); // photo 8 is not "Group 3"

    // The new model numbers its outputs differently and changes its mind about photos 0, 8 and 11.
    const second = [2, 2, 2, 2, 0, 0, 0, 0, 1, 1, 1, 0];
    applyRun(db, log, lib.libraryId, RUN, predictions(lib.hashes, second, 3));

    expect(sqlRows(db, `SELECT name, hidden, model_index FROM clusters ORDER BY id`)).toEqual([
      { name: 'Cats', hidden: 0, model_index: 2 },
      { name: 'Ships', hidden: 1, model_index: 0 },
      { name: 'Group 3', hidden: 0, model_index: 1 },
    ]);
    expect(groupOf(db, lib.photoIds[0]!)).toBe(ships); // pinned by the user although the model says cat
    expect(groupOf(db, lib.photoIds[1]!)).toBe(cats);
    expect(groupOf(db, lib.photoIds[11]!)).toBe(ships); // the model moved it
    // Photo 8, said not to be in "Group 3", went to the group nearest it, Cats, and the new run leaves it there
    // although its top choice is now output 1, "Group 3" again.
    expect(groupOf(db, lib.photoIds[8]!)).toBe(cats);
    // Edits before the run are history now, not undoable.
    expect(log.undo(lib.libraryId)).toBeNull();
  });

  it('places photos added after the run with the model, flagged new', () => {
    const lib = seedLibrary(db, 6);
    const runId = applyRun(db, log, lib.libraryId, RUN, predictions(lib.hashes.slice(0, 4), [0, 0, 1, 1], 2));
    expect(groupOf(db, lib.photoIds[4]!)).toBeNull();
    const placed = applyNewPhotoPredictions(db, lib.libraryId, runId, predictions(lib.hashes.slice(4), [1, 0], 2));
    expect(placed).toBe(2);
    expect(groupOf(db, lib.photoIds[4]!)).toBe(groupOf(db, lib.photoIds[2]!));
    expect(groupOf(db, lib.photoIds[5]!)).toBe(groupOf(db, lib.photoIds[0]!));
    expect(sqlValue(db, `SELECT is_new FROM assignments WHERE photo_id = ?`, lib.photoIds[4]!)).toBe(1);
  });

  it('matchByOverlap finds the best one-to-one pairs and drops empty ones', () => {
    expect(matchByOverlap([[0, 5, 1], [4, 0, 0], [0, 0, 0]]).sort()).toEqual([[0, 1], [1, 0]]);
    expect(matchByOverlap([])).toEqual([]);
    // More new clusters than old groups.
    expect(matchByOverlap([[3], [7]])).toEqual([[1, 0]]);
  });
});

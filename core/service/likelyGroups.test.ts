// Group centres kept between calls and brought up to date edit by edit must be the centres read afresh.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { predictions, seedLibrary, TEST_RUN as RUN } from '../../test/fixtures/library.js';
import { openDatabase, type Database } from '../store/db.js';
import { getAssignment } from '../store/groups.js';
import { currentRunId } from '../store/libraries.js';
import { applyNewPhotoPredictions, applyRun } from './applyRun.js';
import { EditLog } from './edits.js';
import { GroupEditor } from './groupEdits.js';
import { centresOf, groupCentres, nearestCentres, type GroupCentres } from './likelyGroups.js';

/** A seeded pseudo-random vector of `dim` numbers, leaning towards axis `lean`. */
function vector(i: number, dim: number, lean: number): number[] {
  return Array.from({ length: dim }, (_, d) => Math.sin(i * 12.9898 + d * 78.233) * 0.3 + (d === lean ? 1 : 0));
}

describe('group centres', () => {
  let dir: string;
  let file: string;
  let db: Database;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-centres-'));
    file = path.join(dir, 'test.db');
    db = openDatabase(file);
  });
  afterEach(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** The centres a connection that never saw the library before reads: every vector, summed afresh. */
  function afresh(libraryId: number): GroupCentres {
    const other = openDatabase(file);
    try {
      return groupCentres(other, libraryId);
    } finally {
      other.close();
    }
  }

  function expectSame(kept: GroupCentres, fresh: GroupCentres) {
    expect([...kept.byGroup.keys()].sort((a, b) => a - b)).toEqual([...fresh.byGroup.keys()].sort((a, b) => a - b));
    for (const [group, centre] of fresh.byGroup) {
      const mine = kept.byGroup.get(group)!;
      for (let d = 0; d < centre.length; d++) expect(mine[d]).toBeCloseTo(centre[d]!, 5);
    }
  }

  it('follows moves, merges, splits, undo, photos placed later and a new grouping as a fresh read would', () => {
    const log = new EditLog(db);
    const editor = new GroupEditor(db, log);
    const lib = seedLibrary(db, 40);
    const labels = lib.hashes.slice(0, 36).map((_, i) => i % 4);
    applyRun(db, log, lib.libraryId, RUN, predictions(lib.hashes.slice(0, 36), labels, 4, labels.map((l, i) => vector(i, 6, l))));
    const p = lib.photoIds;
    const groupOf = (photoId: number) => getAssignment(db, photoId)!.cluster_id;
    const first = groupCentres(db, lib.libraryId);
    expect(first.dim).toBe(6);
    expect(first.byGroup.size).toBe(4);
    expectSame(first, afresh(lib.libraryId));

    editor.move([p[0]!, p[5]!], { clusterId: groupOf(p[2]!) });
    expectSame(groupCentres(db, lib.libraryId), afresh(lib.libraryId));
    const made = editor.move([p[6]!], {}).createdClusterIds[0]!;
    expect(groupCentres(db, lib.libraryId).byGroup.has(made)).toBe(true);
    editor.merge([groupOf(p[1]!), groupOf(p[3]!)]);
    expect(groupCentres(db, lib.libraryId).byGroup.size).toBe(4);
    expectSame(groupCentres(db, lib.libraryId), afresh(lib.libraryId));
    editor.split(groupOf(p[1]!), 2, (vectors) => vectors.map((_, i) => i % 2));
    expectSame(groupCentres(db, lib.libraryId), afresh(lib.libraryId));
    log.undo(lib.libraryId);
    log.undo(lib.libraryId);
    expectSame(groupCentres(db, lib.libraryId), afresh(lib.libraryId));

    // Re-scan places the last four photos with the model.
    applyNewPhotoPredictions(db, lib.libraryId, currentRunId(db, lib.libraryId)!, predictions(lib.hashes.slice(36), [0, 1, 2, 3], 4, [0, 1, 2, 3].map((l) => vector(100 + l, 6, l))));
    expectSame(groupCentres(db, lib.libraryId), afresh(lib.libraryId));

    // Grouped again: every vector is the new run's.
    const before = groupCentres(db, lib.libraryId);
    const second = lib.hashes.map((_, i) => (i + 1) % 4);
    applyRun(db, log, lib.libraryId, RUN, predictions(lib.hashes, second, 4, second.map((l, i) => vector(i + 500, 6, l))));
    const after = groupCentres(db, lib.libraryId);
    expectSame(after, afresh(lib.libraryId));
    expect([...after.byGroup.values()][0]).not.toEqual([...before.byGroup.values()][0]);
  });

  it('ranks a vector by the cosine to each centre, leaving out the groups asked', () => {
    const centres = centresOf(
      [
        { vector: Float32Array.from([2, 0]), group: 1 },
        { vector: Float32Array.from([0, 5]), group: 1 }, // unit vectors summed: the centre is at 45°
        { vector: Float32Array.from([0, 1]), group: 2 },
        { vector: Float32Array.from([-1, 0]), group: 3 },
      ],
      2,
    );
    expect(Array.from(centres.get(1)!)).toEqual([Math.SQRT1_2, Math.SQRT1_2].map((x) => expect.closeTo(x, 6)));
    const ranked = nearestCentres(Float32Array.from([0.1, 1]), centres);
    expect(ranked.map((r) => r.group)).toEqual([2, 1, 3]);
    expect(nearestCentres(Float32Array.from([0.1, 1]), centres, (g) => g === 2).map((r) => r.group)).toEqual([1, 3]);
  });
});

// What listRuns says a run learned from the user's placements, read from the config JSON the run was stored with.
import { describe, expect, it } from 'vitest';
import { predictions, seedLibrary, TEST_RUN as RUN, withTempDatabase } from '../../test/fixtures/library.js';
import { getAssignment } from '../store/groups.js';
import { applyRun } from './applyRun.js';
import { EditLog } from './edits.js';
import { GroupEditor } from './groupEdits.js';
import { getLibrary, getPhoto, groupsFrom, learnedFrom, listClusters, listRuns } from './contractReads.js';
import type { RunInfo } from '../api.js';

/** listRuns over a library whose runs were stored with these configs, in the order stored. */
function runsStoredWith(configs: Array<Record<string, unknown>>): RunInfo[] {
  return withTempDatabase((db) => {
    const log = new EditLog(db);
    const lib = seedLibrary(db, 4);
    const pred = predictions(lib.hashes, [0, 0, 1, 1], 2);
    for (const config of configs) applyRun(db, log, lib.libraryId, { ...RUN, config }, pred);
    return listRuns(db, lib.libraryId).sort((x, y) => x.id - y.id);
  });
}

describe('RunInfo.learnedFrom', () => {
  it('is what the run stored as guided, and null for a run without it', () => {
    const runs = runsStoredWith([RUN.config, { guided: { photos: 46, groups: 5 } }]);
    expect(runs.map((r) => r.learnedFrom)).toEqual([null, { photos: 46, groups: 5 }]);
  });

  it('reads anything but two whole counts from 1 as nothing learned', () => {
    expect(learnedFrom({ guided: null })).toBeNull();
    expect(learnedFrom({ guided: { photos: 0, groups: 0 } })).toBeNull();
    expect(learnedFrom({ guided: { photos: 3 } })).toBeNull();
    expect(learnedFrom({ guided: { photos: '3', groups: 1 } })).toBeNull();
    expect(learnedFrom({ guided: { photos: 2.5, groups: 1 } })).toBeNull();
    expect(learnedFrom({ guided: [3, 1] })).toBeNull();
    expect(learnedFrom({ guided: { photos: 3, groups: 1, extra: true } })).toEqual({ photos: 3, groups: 1 });
  });
});

describe('RunInfo.groupsFrom', () => {
  it('says how a stored run made its groups, reading runs stored before `trained` was kept as trained', () => {
    const runs = runsStoredWith([{}, { partition: { shipped: 'kmeans', trained: false } }, { partition: { shipped: 'kmeans' } }, { partition: { shipped: 'head', trained: true } }, { partition: { shipped: 'guided', trained: false } }]);
    expect(runs.map((r) => r.groupsFrom)).toEqual([null, 'kmeans', 'kmeans-checked', 'network', 'guided']);
  });

  it('reads anything else as unknown', () => {
    expect(groupsFrom({ partition: null })).toBeNull();
    expect(groupsFrom({ partition: 'kmeans' })).toBeNull();
    expect(groupsFrom({ partition: { shipped: 'something' } })).toBeNull();
  });
});

describe('LibraryInfo.placedByHandSinceGrouping', () => {
  it('counts photos moved or kept by hand since the current run, once each, and forgets them when a new run learns from them', () => {
    withTempDatabase((db) => {
      const log = new EditLog(db);
      const editor = new GroupEditor(db, log);
      const lib = seedLibrary(db, 8);
      const p = lib.photoIds;
      const pred = predictions(lib.hashes, [0, 0, 0, 0, 1, 1, 1, 1], 2);
      applyRun(db, log, lib.libraryId, RUN, pred);
      const placed = () => getLibrary(db, lib.libraryId).placedByHandSinceGrouping;
      expect(placed()).toBe(0);
      const [a, b] = listClusters(db, lib.libraryId, true).sort((x, y) => x.id - y.id);
      const groupOf = (photoId: number) => getAssignment(db, photoId)!.cluster_id;
      const other = (photoId: number) => (groupOf(photoId) === a!.id ? b! : a!).id;

      editor.move([p[0]!, p[1]!], { clusterId: other(p[0]!) });
      expect(placed()).toBe(2);
      // Moved again: still one photo.
      editor.move([p[0]!], { clusterId: other(p[0]!) });
      expect(placed()).toBe(2);
      // Kept in Review counts; "not this group" does not (the run does not learn from it).
      editor.accept([p[5]!]);
      editor.reject(groupOf(p[6]!), [p[6]!]);
      expect(placed()).toBe(3);
      // Undone edits count for nothing; renames and hides never count.
      log.undo(lib.libraryId);
      log.undo(lib.libraryId);
      expect(placed()).toBe(2);
      editor.rename(a!.id, 'Cats');
      editor.setHidden(b!.id, true);
      expect(placed()).toBe(2);

      // A new run learned from them: nothing new since.
      applyRun(db, log, lib.libraryId, { ...RUN, config: { guided: { photos: 2, groups: 2 } } }, pred);
      expect(placed()).toBe(0);
      editor.move([p[7]!], { clusterId: other(p[7]!) });
      expect(placed()).toBe(1);
      // Moved by hand, then said not to be in that group: the app chose where it went, so it no longer counts.
      editor.reject(groupOf(p[7]!), [p[7]!]);
      expect(placed()).toBe(0);
    });
  });
});

describe('PhotoDetails.likelyGroups', () => {
  it("ranks the other groups by how close their centres are to the photo, following the user's moves, hand-made groups included and hidden ones left out", () => {
    withTempDatabase((db) => {
      const log = new EditLog(db);
      const editor = new GroupEditor(db, log);
      const lib = seedLibrary(db, 7);
      const p = lib.photoIds;
      // Six photos seen by the run, on a plane (angles 0°, 11°, 37°, 53°, 90°, 163°); the seventh added later.
      const vectors = [[1, 0], [1, 0.2], [0.8, 0.6], [0.6, 0.8], [0, 1], [-1, 0.3]];
      applyRun(db, log, lib.libraryId, RUN, predictions(lib.hashes.slice(0, 6), [0, 0, 1, 1, 2, 3], 4, vectors));
      const groupOf = (photoId: number) => getAssignment(db, photoId)!.cluster_id;
      const [g0, g1, g2, g3] = [p[0], p[2], p[4], p[5]].map((id) => groupOf(id!));
      // Centres at 6°, 45°, 90° and 163°: nearest first, whatever the groups' sizes.
      expect(getPhoto(db, p[0]!).likelyGroups).toEqual([g1, g2, g3]);
      expect(getPhoto(db, p[2]!).likelyGroups).toEqual([g0, g2, g3]);
      expect(getPhoto(db, p[4]!).likelyGroups).toEqual([g1, g3, g0]);
      // "Not this group" sends photo 0 to the nearest other group, with the model's probability for it, and the group
      // it left is not offered again.
      editor.reject(g0!, [p[0]!]);
      expect(groupOf(p[0]!)).toBe(g1);
      expect(getAssignment(db, p[0]!)!.confidence).toBeCloseTo(0.1 / 3 + 0.001, 5);
      expect(getPhoto(db, p[0]!).likelyGroups).toEqual([g2, g3]);
      // A group made by hand is ranked like the others, at its photos' centre (photo 1, 11°); the emptied group is gone.
      const made = editor.move([p[1]!], {}).createdClusterIds[0]!;
      expect(made).toBeGreaterThan(0);
      expect(getPhoto(db, p[2]!).likelyGroups).toEqual([made, g2, g3]);
      expect(getPhoto(db, p[3]!).likelyGroups).toEqual([g2, made, g3]);
      // Moving photo 4 (90°) into the hand-made group turns its centre to 50°: nearer photo 3 (53°) than group 2 is now.
      editor.move([p[4]!], { clusterId: made });
      expect(getPhoto(db, p[3]!).likelyGroups).toEqual([made, g3]);
      // "Not this group" into a group no model output feeds: no probability to show.
      editor.reject(g1!, [p[2]!]);
      expect(groupOf(p[2]!)).toBe(made);
      expect(getAssignment(db, p[2]!)!.confidence).toBeNull();
      // A hidden group is neither offered nor chosen by "not this group", however near.
      expect(getPhoto(db, p[3]!).likelyGroups).toEqual([made, g3]);
      editor.setHidden(made, true);
      expect(getPhoto(db, p[3]!).likelyGroups).toEqual([g3]);
      editor.reject(g1!, [p[3]!]);
      expect(groupOf(p[3]!)).toBe(g3);
      // Photo 5, said to be in neither group 3 nor group 1, has only the hidden group left: it is left out of the groups.
      editor.reject(g3!, [p[5]!]);
      expect(groupOf(p[5]!)).toBe(g1);
      editor.reject(g1!, [p[5]!]);
      expect(getAssignment(db, p[5]!)).toBeUndefined();
      // A photo no grouping placed has nothing to compare.
      expect(getPhoto(db, p[6]!).likelyGroups).toEqual([]);
    });
  });
});

// The user's placements become the guide a fine-tune run learns from.
import { describe, expect, it } from 'vitest';
import { getAssignment, libraryRejections, photoPlacements } from '../store/groups.js';
import { predictions, seedLibrary, TEST_RUN as RUN, withTempDatabase } from '../../test/fixtures/library.js';
import { applyRun } from './applyRun.js';
import { EditLog } from './edits.js';
import { GroupEditor } from './groupEdits.js';
import { correctionsSince, runGuide, type PhotoPlacement } from './runGuide.js';
import { photosSinceRun } from '../store/editLog.js';
import { currentRunId } from '../store/libraries.js';

let nextId = 1;
const user = (hash: string, cluster_id: number): PhotoPlacement => ({ id: nextId++, hash, cluster_id, source: 'user' });
const model = (hash: string, cluster_id: number): PhotoPlacement => ({ id: nextId++, hash, cluster_id, source: 'model' });

describe('runGuide', () => {
  it('is undefined when the user has placed nothing by hand', () => {
    expect(runGuide([])).toBeUndefined();
    expect(runGuide([model('a', 1), model('b', 2), { id: 99, hash: 'c', cluster_id: null, source: null }])).toBeUndefined();
  });

  it('gives every grouped photo once, its group as a slot, and marks those placed by hand', () => {
    const guide = runGuide([user('c', 7), model('x', 7), user('a', 3), model('b', 7), model('y', 3), { id: 98, hash: 'z', cluster_id: null, source: null }]);
    expect(guide).toEqual({ hashes: ['a', 'b', 'c', 'x', 'y'], slots: [0, 1, 1, 1, 0], pinned: [true, false, true, false, false] });
  });

  it('numbers the groups by id whatever order the photos come in', () => {
    const placements = [user('p', 42), model('q', 5), user('r', 17), model('s', 5)];
    const expected = { hashes: ['p', 'q', 'r', 's'], slots: [2, 0, 1, 0], pinned: [true, false, true, false] };
    expect(runGuide(placements)).toEqual(expected);
    expect(runGuide([...placements].reverse())).toEqual(expected);
  });

  it('counts copies of one photo once, and leaves out a photo pinned to two groups', () => {
    // 'd' is pinned in group 1 and (a copy) in group 2: contradictory. 'e' twice in group 1 is one entry. 'f' is
    // pinned in 2; its copy the model placed in 1 does not contradict the pin. 'g' has copies in 3, 3 and 1.
    const guide = runGuide([user('d', 1), user('d', 2), user('e', 1), user('e', 1), user('f', 2), model('f', 1), model('g', 3), model('g', 1), model('g', 3)]);
    expect(guide).toEqual({ hashes: ['e', 'f', 'g'], slots: [0, 1, 2], pinned: [true, true, false] });
  });

  it('counts a photo the user only said is not in a group as not placed by hand', () => {
    const rejected = user('r', 4);
    expect(runGuide([rejected, model('s', 4)], new Set([rejected.id]))).toBeUndefined();
    expect(runGuide([rejected, user('t', 5)], new Set([rejected.id]))).toEqual({ hashes: ['r', 't'], slots: [0, 1], pinned: [false, true] });
  });
});

describe('runGuide from the edits the user made', () => {

  it('learns from photos moved by hand and photos kept in Review, not from a merge', () => {
    withTempDatabase((db) => {
      const log = new EditLog(db);
      const editor = new GroupEditor(db, log);
      // 12 photos: 0-3 → model output 0, 4-7 → 1, 8-11 → 2.
      const lib = seedLibrary(db, 12);
      applyRun(db, log, lib.libraryId, RUN, predictions(lib.hashes, [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2], 3));
      const groupOf = (i: number) => getAssignment(db, lib.photoIds[i]!)!.cluster_id;
      expect(runGuide(photoPlacements(db, lib.libraryId))).toBeUndefined();

      const [a, b, c] = [groupOf(0), groupOf(4), groupOf(8)];
      editor.move([lib.photoIds[0]!, lib.photoIds[1]!], { clusterId: b });
      editor.accept([lib.photoIds[9]!]);
      editor.merge([a, c]);
      editor.reject(a, [lib.photoIds[10]!]);
      const guide = runGuide(photoPlacements(db, lib.libraryId), new Set(libraryRejections(db, lib.libraryId).keys()))!;
      const entry = (i: number) => {
        const at = guide.hashes.indexOf(lib.hashes[i]!);
        return { slot: guide.slots[at], pinned: guide.pinned[at] };
      };
      expect(guide.hashes).toHaveLength(12);
      // Moved (0, 1) and kept (9) photos are placed by hand; the rejected photo (10), now where the app put it, is not.
      expect(guide.hashes.filter((_, i) => guide.pinned[i])).toEqual([lib.hashes[0], lib.hashes[1], lib.hashes[9]].sort());
      expect(entry(10).pinned).toBe(false);
      // The kept photo went along with the merge into a and stays pinned there; the merged photos are not pinned.
      expect(groupOf(9)).toBe(a);
      const [slotA, slotB] = a < b ? [0, 1] : [1, 0];
      expect([0, 1, 4, 5, 6, 7].map((i) => entry(i).slot)).toEqual([slotB, slotB, slotB, slotB, slotB, slotB]);
      expect([2, 3, 8, 9, 11].map((i) => entry(i).slot)).toEqual([slotA, slotA, slotA, slotA, slotA]);
    });
  });
});

describe('correctionsSince: the mistakes of the current run the user found', () => {
  it('counts photos moved elsewhere or marked "not this group" as found, kept ones as neither, and merges, undone and returned moves as nothing', () => {
    withTempDatabase((db) => {
      const log = new EditLog(db);
      const editor = new GroupEditor(db, log);
      const lib = seedLibrary(db, 12);
      const p = lib.photoIds;
      const pred = predictions(lib.hashes, [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2], 3);
      pred.confidence = Float32Array.from(pred.confidence, (_, i) => 0.5 + 0.04 * i);
      applyRun(db, log, lib.libraryId, RUN, pred);
      const since = () => photosSinceRun(db, lib.libraryId, currentRunId(db, lib.libraryId)!);
      const groupOf = (i: number) => getAssignment(db, p[i]!)!.cluster_id;
      const [a, b, c] = [groupOf(0), groupOf(4), groupOf(8)];
      const doubt = (is: number[]) => expect.closeTo(is.reduce((sum, i) => sum + 0.5 - 0.04 * i, 0), 5);
      expect(correctionsSince(since())).toEqual({ untouched: 12, untouchedDoubt: doubt([...Array(12).keys()]), foundWrong: 0, kept: 0, decidedDoubt: 0 });

      editor.move([p[0]!], { clusterId: b }); // found
      editor.move([p[1]!], { clusterId: b }); // moved there and back: it was right
      editor.move([p[1]!], { clusterId: a });
      editor.move([p[2]!], { clusterId: b }); // undone: as if never moved
      log.undo(lib.libraryId);
      editor.accept([p[9]!]); // kept
      editor.reject(c, [p[10]!]); // found; the app moves it to its next likeliest group
      editor.merge([a, c]); // reshapes groups, finds nothing
      const rows = new Map(since().map((r) => [r.photoId, r]));
      expect([...rows.keys()].sort((x, y) => x - y)).toEqual([...p].sort((x, y) => x - y));
      expect(p.filter((id) => rows.get(id)!.foundWrong)).toEqual([p[0], p[10]]);
      expect(p.filter((id) => rows.get(id)!.pinned)).toEqual([p[0], p[1], p[9], p[10]]);
      // The rejected photo's confidence is the run's, not the next group's probability it was moved with.
      expect(rows.get(p[10]!)!.confidence).toBeCloseTo(0.9, 5);
      // Found: 0 and 10; kept: 1 (moved back) and 9; the other eight untouched, each with the run's doubt in it.
      expect(correctionsSince(since())).toEqual({ untouched: 8, untouchedDoubt: doubt([2, 3, 4, 5, 6, 7, 8, 11]), foundWrong: 2, kept: 2, decidedDoubt: doubt([0, 1, 9, 10]) });

      // A new run: the photos the user placed keep the earlier run's mark and count no more.
      applyRun(db, log, lib.libraryId, { ...RUN, config: { guided: { photos: 4, groups: 2 } } }, predictions(lib.hashes, [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2], 3));
      const after = since();
      expect(after.every((r) => !r.pinned && !r.foundWrong)).toBe(true);
      expect(after.map((r) => r.photoId).sort((x, y) => x - y)).toEqual([p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[11]].sort((x, y) => x! - y!));
    });
  });
});

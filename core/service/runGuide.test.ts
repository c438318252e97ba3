// The user's placements become the guide a fine-tune run learns from.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../store/db.js';
import { getAssignment, photoPlacements } from '../store/groups.js';
import { predictions, seedLibrary } from '../../test/fixtures/library.js';
import { applyRun, type RunRecord } from './applyRun.js';
import { EditLog } from './edits.js';
import { GroupEditor } from './groupEdits.js';
import { runGuide, type PhotoPlacement } from './runGuide.js';

const user = (hash: string, cluster_id: number): PhotoPlacement => ({ hash, cluster_id, source: 'user' });
const model = (hash: string, cluster_id: number): PhotoPlacement => ({ hash, cluster_id, source: 'model' });

describe('runGuide', () => {
  it('is undefined when the user has placed nothing', () => {
    expect(runGuide([])).toBeUndefined();
    expect(runGuide([model('a', 1), model('b', 2), { hash: 'c', cluster_id: null, source: null }])).toBeUndefined();
  });

  it('takes only photos the user placed, one entry per content, one slot per group', () => {
    const guide = runGuide([user('c', 7), model('x', 7), user('a', 3), user('b', 7), model('y', 3)]);
    expect(guide).toEqual({ hashes: ['a', 'b', 'c'], slots: [0, 1, 1] });
  });

  it('numbers the groups by id whatever order the photos come in', () => {
    const placements = [user('p', 42), user('q', 5), user('r', 17), user('s', 5)];
    const expected = { hashes: ['p', 'q', 'r', 's'], slots: [2, 0, 1, 0] };
    expect(runGuide(placements)).toEqual(expected);
    expect(runGuide([...placements].reverse())).toEqual(expected);
  });

  it('counts copies of one photo once, and leaves out a photo pinned to two groups', () => {
    // 'd' is in group 1 and (a copy) in group 2: contradictory. 'e' twice in group 1 is one entry.
    // Group 2 keeps a slot through 'f'; a copy the model placed elsewhere does not contradict a pin.
    const guide = runGuide([user('d', 1), user('d', 2), user('e', 1), user('e', 1), user('f', 2), model('f', 1)]);
    expect(guide).toEqual({ hashes: ['e', 'f'], slots: [0, 1] });
  });

  it('drops a group whose only pinned photo was contradictory, keeping the slots dense', () => {
    expect(runGuide([user('d', 1), user('d', 9), user('g', 4), user('h', 9)])).toEqual({ hashes: ['g', 'h'], slots: [0, 1] });
    expect(runGuide([user('d', 1), user('d', 2)])).toBeUndefined();
  });
});

describe('runGuide from the edits the user made', () => {
  const RUN: RunRecord = { jobId: null, mode: 'finetune', backbone: 'b', backend: 'cpu', kSuggested: null, kReasoning: null, config: {}, startedAt: new Date(0).toISOString(), seconds: 1, lossHistory: [], modelDir: null };

  it('learns from photos moved by hand and photos kept in Review, not from a merge', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-guide-'));
    const db = openDatabase(path.join(dir, 'test.db'));
    try {
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
      const guide = runGuide(photoPlacements(db, lib.libraryId))!;
      expect(guide.hashes).toEqual([lib.hashes[0], lib.hashes[1], lib.hashes[9]]);
      // The kept photo went along with the merge into a and stays pinned there; the merged photos are not pinned.
      expect(groupOf(9)).toBe(a);
      expect(guide.slots).toEqual(a < b ? [1, 1, 0] : [0, 0, 1]);
    } finally {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

// What listRuns says a run learned from the user's placements, read from the config JSON the run was stored with.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../store/db.js';
import { predictions, seedLibrary } from '../../test/fixtures/library.js';
import { applyRun, type RunRecord } from './applyRun.js';
import { EditLog } from './edits.js';
import { learnedFrom, listRuns } from './contractReads.js';

const RUN: RunRecord = { jobId: null, mode: 'finetune', backbone: 'b', backend: 'cpu', kSuggested: null, kReasoning: null, config: {}, startedAt: new Date(0).toISOString(), seconds: 1, lossHistory: [], modelDir: null };

describe('RunInfo.learnedFrom', () => {
  it('is what the run stored as guided, and null for a run without it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-reads-'));
    const db = openDatabase(path.join(dir, 'test.db'));
    try {
      const log = new EditLog(db);
      const lib = seedLibrary(db, 4);
      const pred = predictions(lib.hashes, [0, 0, 1, 1], 2);
      applyRun(db, log, lib.libraryId, RUN, pred);
      applyRun(db, log, lib.libraryId, { ...RUN, config: { guided: { photos: 46, groups: 5 } } }, pred);
      const byId = listRuns(db, lib.libraryId).sort((x, y) => x.id - y.id);
      expect(byId.map((r) => r.learnedFrom)).toEqual([null, { photos: 46, groups: 5 }]);
    } finally {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
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

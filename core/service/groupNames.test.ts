/**
 * The grouping job's naming step on a real SQLite file, with a stand-in for the ML worker's classifier task: which
 * photos are looked at, what is recorded, what the groups list shows, and that nothing here can fail a run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../store/db.js';
import { sqlValue } from '../store/testing.js';
import { seedLibrary } from '../../test/fixtures/library.js';
import type { SuggestNamesTaskPayload, SuggestNamesTaskResult } from '../ml/names/nameGroups.js';
import type { JobPhase } from '../api.js';
import { applyRun, type RunPredictions, type RunRecord } from './applyRun.js';
import { EditLog } from './edits.js';
import { GroupEditor } from './groupEdits.js';
import { groupsDueForNames, NAME_SAMPLE, sampleChanged, suggestGroupNames, type GroupNamesDeps } from './groupNames.js';
import { listClusters } from './contractReads.js';

const RUN: RunRecord = { jobId: null, mode: 'finetune', backbone: 'mobilenet_v1_0.75_224', backend: 'cpu', kSuggested: null, kReasoning: null, config: {}, startedAt: new Date(0).toISOString(), seconds: 1, lossHistory: [], modelDir: null };

/** 30 photos in output 0, surer the later they come; 6 in output 1. */
function run(hashes: string[]): RunPredictions {
  const labels = hashes.map((_, i) => (i < 30 ? 0 : 1));
  const probs = new Float32Array(hashes.length * 2);
  labels.forEach((l, i) => ((probs[i * 2 + l] = 0.9), (probs[i * 2 + 1 - l] = 0.1)));
  const embeddings = Float32Array.from(hashes.flatMap((_, i) => [labels[i]!, i % 2]));
  return { hashes, cluster: Int32Array.from(labels), confidence: Float32Array.from(hashes, (_, i) => 0.4 + i / 100), embeddingDim: 2, embeddings, probs, k: 2 };
}

describe('suggesting group names after a run', () => {
  let dir: string;
  let db: Database;
  let log: EditLog;
  let lib: ReturnType<typeof seedLibrary>;
  let calls: SuggestNamesTaskPayload[];
  let logged: string[];
  let answer: (p: SuggestNamesTaskPayload) => Promise<SuggestNamesTaskResult>;
  const phases: JobPhase[] = [];
  const ctx = { signal: new AbortController().signal, progress: (p: { phase: JobPhase }) => void phases.push(p.phase) };
  const deps = (): GroupNamesDeps => ({
    db,
    paths: { cacheDir: path.join(dir, 'cache'), modelsDir: path.join(dir, 'models') },
    ml: {
      suggestNames: (p) => {
        calls.push(p);
        return answer(p);
      },
    },
    events: { emit: () => {} },
    log: (line) => void logged.push(line),
  });
  const groupIds = () => listClusters(db, lib.libraryId, true).map((c) => c.id);
  const shown = () => listClusters(db, lib.libraryId, true).map((c) => [c.size, c.suggestedName]);
  const firstGroupShoes = (p: SuggestNamesTaskPayload): Promise<SuggestNamesTaskResult> =>
    Promise.resolve({ backend: 'cpu', unavailable: null, groups: p.groups.map((g, i) => ({ id: g.id, suggestion: i === 0 ? { name: 'Shoes', photos: 20, of: g.hashes.length } : null })) });

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-names-'));
    db = openDatabase(path.join(dir, 'library.db'));
    log = new EditLog(db);
    lib = seedLibrary(db, 36);
    applyRun(db, log, lib.libraryId, RUN, run(lib.hashes));
    calls = [];
    logged = [];
    answer = firstGroupShoes;
  });
  afterEach(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('looks at the surest photos of each group and lists the suggestion with the group', async () => {
    expect(await suggestGroupNames(deps(), lib.libraryId, ctx)).toBe(1);
    const [big, small] = calls[0]!.groups;
    // The 24 surest of the 30 (confidence rises with the index), surest first; all 6 of the small group.
    expect(big!.hashes).toEqual(lib.hashes.slice(6, 30).reverse());
    expect(big!.hashes).toHaveLength(NAME_SAMPLE);
    expect(small!.hashes).toEqual(lib.hashes.slice(30).reverse());
    expect(shown()).toEqual([
      [30, 'Shoes'],
      [6, null],
    ]);
    expect(sqlValue(db, `SELECT photos || '/' || of_photos FROM group_name_suggestions`)).toBe('20/24');
    expect(calls[0]!.download).toBe(true);
  });

  it('passes on whether the naming model may be downloaded', async () => {
    await suggestGroupNames(deps(), lib.libraryId, ctx, false);
    expect(calls[0]!.download).toBe(false);
  });

  it('records nothing when the photos agree on no name', async () => {
    answer = (p) => Promise.resolve({ backend: 'cpu', unavailable: null, groups: p.groups.map((g) => ({ id: g.id, suggestion: null })) });
    expect(await suggestGroupNames(deps(), lib.libraryId, ctx)).toBe(0);
    expect(sqlValue(db, `SELECT COUNT(*) FROM group_name_suggestions`)).toBe(0);
    expect(shown()).toEqual([
      [30, null],
      [6, null],
    ]);
  });

  it('does not name a group the user has named; a rename hides the suggestion and Undo brings it back', async () => {
    const editor = new GroupEditor(db, log);
    const [big, small] = groupIds();
    editor.rename(small!, 'Holiday');
    await suggestGroupNames(deps(), lib.libraryId, ctx);
    expect(calls[0]!.groups.map((g) => g.id)).toEqual([big]);
    // The worker hears the user's names, so no suggestion repeats one.
    expect(calls[0]!.taken).toEqual(['Holiday']);

    editor.rename(big!, 'Trainers');
    expect(listClusters(db, lib.libraryId, true).map((c) => [c.name, c.suggestedName])).toEqual([
      ['Trainers', null],
      ['Holiday', null],
    ]);
    log.undo(lib.libraryId);
    expect(listClusters(db, lib.libraryId, true).map((c) => [c.name, c.suggestedName])).toEqual([
      ['Group 1', 'Shoes'],
      ['Holiday', null],
    ]);
  });

  it('forgets the suggestions of a run once the library is grouped again', async () => {
    await suggestGroupNames(deps(), lib.libraryId, ctx);
    applyRun(db, log, lib.libraryId, RUN, run(lib.hashes));
    expect(shown()).toEqual([
      [30, null],
      [6, null],
    ]);
  });

  it('never fails the run: a missing model or a failing worker leaves the groups without suggestions', async () => {
    answer = () => Promise.resolve({ backend: 'cpu', unavailable: 'cannot reach the model server', groups: [] });
    expect(await suggestGroupNames(deps(), lib.libraryId, ctx)).toBe(0);
    answer = () => Promise.reject(new Error('the ML worker stopped'));
    expect(await suggestGroupNames(deps(), lib.libraryId, ctx)).toBe(0);
    expect(logged).toEqual([expect.stringContaining('cannot reach the model server'), expect.stringContaining('the ML worker stopped')]);
    expect(sqlValue(db, `SELECT COUNT(*) FROM group_name_suggestions`)).toBe(0);
  });

  it('passes a cancel on: the job was stopped, not the naming', async () => {
    const controller = new AbortController();
    answer = () => {
      controller.abort();
      return Promise.reject(new Error('cancelled'));
    };
    await expect(suggestGroupNames(deps(), lib.libraryId, { ...ctx, signal: controller.signal })).rejects.toThrow('cancelled');
  });

  describe('after edits', () => {
    /** Every group looked at gets a name of its own: "Kind <id>". */
    const nameById = (p: SuggestNamesTaskPayload): Promise<SuggestNamesTaskResult> =>
      Promise.resolve({ backend: 'cpu', unavailable: null, groups: p.groups.map((g) => ({ id: g.id, suggestion: { name: `Kind ${g.id}`, photos: g.hashes.length, of: g.hashes.length } })) });
    /** Splits by position: the first half of the group's photos (by id) from the second. */
    const halves = (vectors: Float32Array[]) => vectors.map((_, i) => (i < vectors.length / 2 ? 0 : 1));
    const names = () => listClusters(db, lib.libraryId, true).sort((x, y) => x.id - y.id).map((c) => [c.id, c.suggestedName]);

    beforeEach(async () => {
      answer = nameById;
      await suggestGroupNames(deps(), lib.libraryId, ctx);
      calls = [];
    });

    it('names nothing again while no group changed', async () => {
      expect(groupsDueForNames(db, lib.libraryId)).toEqual([]);
      expect(await suggestGroupNames(deps(), lib.libraryId, ctx)).toBe(0);
      expect(calls).toEqual([]);
    });

    it("names a split's groups and leaves the other group's name as it was, which the worker hears as taken", async () => {
      const [big, small] = groupIds();
      const { createdClusterIds } = new GroupEditor(db, log).split(big!, 2, halves);
      const part = createdClusterIds[0]!;
      expect(names()).toEqual([
        [big, 'Kind 1'],
        [small, 'Kind 2'],
        [part, null],
      ]);
      expect(groupsDueForNames(db, lib.libraryId).map((g) => g.id)).toEqual([big, part]);
      expect(await suggestGroupNames(deps(), lib.libraryId, ctx, false)).toBe(2);
      // The worker hears which name the split group shows, for it to keep if its photos still agree on it.
      expect(calls[0]!.groups.map((g) => [g.id, g.shown])).toEqual([
        [big, 'Kind 1'],
        [part, null],
      ]);
      expect(calls[0]!.taken).toEqual(['Kind 2']);
      expect(names()).toEqual([
        [big, `Kind ${big}`],
        [small, 'Kind 2'],
        [part, `Kind ${part}`],
      ]);
      expect(groupsDueForNames(db, lib.libraryId)).toEqual([]);
    });

    it('names a merged group again, and after Undo the group the merge had removed', async () => {
      const [big, small] = groupIds();
      const editor = new GroupEditor(db, log);
      editor.merge([big!, small!]);
      // The small group's photos are the surest of all: a quarter of the merged group's two dozen are new.
      expect(groupsDueForNames(db, lib.libraryId).map((g) => g.id)).toEqual([big]);
      await suggestGroupNames(deps(), lib.libraryId, ctx);
      log.undo(lib.libraryId);
      expect(groupsDueForNames(db, lib.libraryId).map((g) => g.id)).toEqual([big, small]);
      await suggestGroupNames(deps(), lib.libraryId, ctx);
      expect(names()).toEqual([
        [big, `Kind ${big}`],
        [small, `Kind ${small}`],
      ]);
    });

    it("leaves a name be when one unsure photo moves, and names the group again when a quarter of its surest photos move", async () => {
      const [big, small] = groupIds();
      const editor = new GroupEditor(db, log);
      // Photo 0 is the big group's least sure: not among the two dozen it is named from. The small group is named from
      // all 6 of its photos, and one more (hand-placed) is 1 in 7: not a quarter.
      editor.move([lib.photoIds[0]!], { clusterId: small! });
      expect(groupsDueForNames(db, lib.libraryId)).toEqual([]);
      // The six surest of the big group.
      editor.move(lib.photoIds.slice(24, 30), { clusterId: small! });
      expect(groupsDueForNames(db, lib.libraryId).map((g) => g.id)).toEqual([big, small]);
    });

    it('keeps the names of groups that are still there when an edit removes one while the worker is busy', async () => {
      const [big, small] = groupIds();
      const { createdClusterIds } = new GroupEditor(db, log).split(big!, 2, halves);
      answer = (p) => {
        log.undo(lib.libraryId); // the split's new group is gone before its name comes back
        return nameById(p);
      };
      expect(await suggestGroupNames(deps(), lib.libraryId, ctx)).toBe(1);
      expect(names()).toEqual([
        [big, `Kind ${big}`],
        [small, 'Kind 2'],
      ]);
      expect(sqlValue(db, `SELECT COUNT(*) FROM group_name_samples WHERE cluster_id = ${createdClusterIds[0]}`)).toBe(0);
    });
  });
});

describe('when a group is worth naming again', () => {
  const a = Array.from({ length: 24 }, (_, i) => `h${i}`);
  it('is never named in this grouping, or a quarter of its photos came or went', () => {
    expect(sampleChanged(a, undefined)).toBe(true);
    expect(sampleChanged(a, a)).toBe(false);
    expect(sampleChanged([...a.slice(0, 19), 'x1', 'x2', 'x3', 'x4', 'x5'], a)).toBe(false); // 5 of 24 new
    expect(sampleChanged([...a.slice(0, 18), 'x1', 'x2', 'x3', 'x4', 'x5', 'x6'], a)).toBe(true); // 6 of 24 new
    expect(sampleChanged(a.slice(0, 18), a)).toBe(true); // 6 of 24 gone
    expect(sampleChanged(['h1'], ['h2'])).toBe(true);
    expect(sampleChanged(['h1', 'h2', 'h3'], ['h1', 'h2', 'h3', 'h4'])).toBe(true); // 1 of 4 gone
    expect(sampleChanged([], [])).toBe(false);
  });
});


/** The worker side of naming groups, with a stand-in classifier (no model, no pixels). */
import { describe, expect, it } from 'vitest';
import { OfflineError } from '../backbones/download.js';
import type { TaskContext } from '../../service/workerProtocol.js';
import { imagenetLabels } from './labels.js';
import { nameGroups, suggestNamesTask } from './nameGroups.js';
import type { ClassScores } from './suggestName.js';

const RUNNING_SHOE = 770;
const SPORTS_CAR = 817;
const sure = (index: number): ClassScores => ({ indices: [index], probs: [0.9] });

const ctx = (phases: string[] = []): TaskContext => ({ signal: new AbortController().signal, progress: (phase) => void phases.push(phase), epoch: () => {} });

describe('naming groups from classifier scores', () => {
  it('ships the 1,000 ImageNet class names in the classifier\'s order', () => {
    const labels = imagenetLabels();
    expect(labels).toHaveLength(1000);
    expect(labels[RUNNING_SHOE]).toBe('running shoe');
    expect(labels[SPORTS_CAR]).toMatch(/^sports car/);
  });

  it('names a group its photos agree on, and not one after a single photo\'s guess', async () => {
    const looks: Record<string, number> = { a: RUNNING_SHOE, b: RUNNING_SHOE, c: RUNNING_SHOE, d: RUNNING_SHOE, e: SPORTS_CAR };
    const asked: string[][] = [];
    const classify = (hashes: string[]) => {
      asked.push(hashes);
      return Promise.resolve(hashes.map((h) => sure(looks[h]!)));
    };
    const out = await nameGroups([{ id: 1, hashes: ['a', 'b', 'c', 'd', 'e'] }, { id: 2, hashes: ['e'] }, { id: 3, hashes: [] }], classify, imagenetLabels());
    expect(out).toEqual([
      { id: 1, suggestion: { name: 'Shoes', photos: 4, of: 5 } },
      { id: 2, suggestion: null },
      { id: 3, suggestion: null },
    ]);
    expect(asked).toEqual([['a', 'b', 'c', 'd', 'e'], ['e']]);
  });

  it('gives no two groups the same name: the surer group keeps the word, the other is numbered', async () => {
    const looks: Record<string, number> = { a: RUNNING_SHOE, b: RUNNING_SHOE, c: RUNNING_SHOE, d: RUNNING_SHOE, e: SPORTS_CAR, f: RUNNING_SHOE, g: RUNNING_SHOE, h: RUNNING_SHOE };
    const classify = (hashes: string[]) => Promise.resolve(hashes.map((h) => sure(looks[h]!)));
    const out = await nameGroups([{ id: 1, hashes: ['a', 'b', 'c', 'e'] }, { id: 2, hashes: ['d', 'f', 'g', 'h'] }], classify, imagenetLabels());
    expect(out).toEqual([
      { id: 1, suggestion: { name: 'Shoes 2', photos: 3, of: 4 } },
      { id: 2, suggestion: { name: 'Shoes', photos: 4, of: 4 } },
    ]);
    const taken = await nameGroups([{ id: 2, hashes: ['d', 'f', 'g', 'h'] }], classify, imagenetLabels(), undefined, ['Shoes']);
    expect(taken).toEqual([{ id: 2, suggestion: { name: 'Shoes 2', photos: 4, of: 4 } }]);
    // Named again after a split, the group that showed "Shoes" keeps it.
    const kept = await nameGroups([{ id: 1, hashes: ['a', 'b', 'c', 'e'], shown: 'Shoes' }, { id: 2, hashes: ['d', 'f', 'g', 'h'] }], classify, imagenetLabels());
    expect(kept.map((g) => g.suggestion?.name)).toEqual(['Shoes', 'Shoes 2']);
  });

  it('says the model is unavailable instead of failing when it cannot be downloaded', async () => {
    const phases: string[] = [];
    const out = await suggestNamesTask({ cacheDir: '/nowhere', modelsDir: '/nowhere', backend: 'auto', download: true, groups: [{ id: 1, hashes: ['a'] }] }, ctx(phases), 'cpu', {
      modelDir: () => Promise.reject(new OfflineError('offline', 'cannot reach the model server', { backboneId: 'mobilenet_v1_0.75_224' })),
      loadClassifier: () => Promise.reject(new Error('not reached')),
    });
    expect(out).toEqual({ backend: 'cpu', unavailable: 'cannot reach the model server', groups: [] });
    expect(phases).toEqual(['name-groups']);
  });

  it('names nothing, without downloading, when downloads are not allowed and the model is not here', async () => {
    let downloads = 0;
    const out = await suggestNamesTask({ cacheDir: '/nowhere', modelsDir: '/nowhere', backend: 'auto', download: false, groups: [{ id: 1, hashes: ['a'] }] }, ctx(), 'cpu', {
      modelDir: (_dir, download) => Promise.resolve(download ? `/models/${++downloads}` : null),
      loadClassifier: () => Promise.reject(new Error('not reached')),
    });
    expect(out).toEqual({ backend: 'cpu', unavailable: 'mobilenet_v1_0.75_224 is not downloaded', groups: [] });
    expect(downloads).toBe(0);
  });

  it('fails on anything else, for the service to log', async () => {
    const task = suggestNamesTask({ cacheDir: '/nowhere', modelsDir: '/nowhere', backend: 'auto', download: true, groups: [] }, ctx(), 'cpu', {
      modelDir: () => Promise.resolve('/models/x'),
      loadClassifier: () => Promise.reject(new Error('model.json is not a layers model')),
    });
    await expect(task).rejects.toThrow('not a layers model');
  });
});

// @vitest-environment happy-dom
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobInfo, LibraryInfo, RunInfo } from '../../../core/api.js';
import { apiDouble, renderWithApi } from '../test/apiDouble.js';
import { ActivityView, failureAdvice } from './ActivityView.js';

const library = (over: Partial<LibraryInfo>): LibraryInfo => ({ id: 1, root: '/photos', name: 'photos', photoCount: 0, failedCount: 0, missingCount: 0, duplicateCount: 0, lastScanAt: '2026-01-01T00:00:00Z', currentRunId: null, clusterCount: 0, placedByHandSinceGrouping: 0, ...over });
const job = (over: Partial<JobInfo>): JobInfo => ({ id: 5, libraryId: 1, kind: 'cluster', state: 'failed', progress: { phase: 'features', done: 0, total: 10, etaSeconds: null, message: null }, result: null, error: null, createdAt: '', startedAt: null, finishedAt: null, ...over });

function setup(lib: LibraryInfo, jobs: JobInfo[], errors: Array<{ path: string; reason: string }> = []) {
  const api = apiDouble({
    getLibrary: () => lib,
    listJobs: () => jobs,
    listRuns: () => [],
    listScanErrors: () => ({ total: errors.length, items: errors.map((e) => ({ photoId: null, ...e })) }),
    resumeJob: () => ({ ...jobs[0]!, state: 'queued' }),
  });
  renderWithApi(<ActivityView libraryId={1} />, api);
  return api;
}

afterEach(cleanup);

describe('ActivityView', () => {
  it('says what to do when a folder has no photos', async () => {
    setup(library({ photoCount: 0 }), []);
    expect(await screen.findByRole('heading', { name: 'No photos found' })).toBeTruthy();
    expect(screen.getByText(/press Re-scan folder/)).toBeTruthy();
  });

  it('explains a folder where every file failed, with each reason', async () => {
    setup(library({ photoCount: 2, failedCount: 2 }), [], [
      { path: 'a.jpg', reason: 'premature end of JPEG data' },
      { path: 'b.png', reason: 'not an image' },
    ]);
    expect(await screen.findByRole('heading', { name: 'None of the files could be read' })).toBeTruthy();
    expect(await screen.findByRole('heading', { name: '2 files could not be read' })).toBeTruthy();
    // Plain words first; the decoder's own message only behind Details.
    expect(screen.getByText('The file is cut off — it may not have finished copying.')).toBeTruthy();
    expect(screen.getByText('This file is not a picture PhotoCluster can read.')).toBeTruthy();
    expect(screen.getByText('premature end of JPEG data').closest('details')).toBeTruthy();
  });

  it('turns a failed model download into advice and a Retry that resumes the job', async () => {
    const failed = job({ error: 'backbone download failed: getaddrinfo ENOTFOUND' });
    const api = setup(library({ photoCount: 60 }), [failed]);
    expect(await screen.findByText(/The pretrained model could not be downloaded/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(api.resumeJob).toHaveBeenCalledWith({ jobId: 5 }));
  });

  it('shows the run in three plain stages, never done while it is still going', async () => {
    setup(library({ photoCount: 60 }), [job({ id: 7, state: 'running', progress: { phase: 'train', done: 50, total: 408, etaSeconds: 30, message: 'epoch 2 of 12' } })]);
    expect(await screen.findByText('Reading photos')).toBeTruthy();
    const stage = (key: string) => document.querySelector(`[data-stage="${key}"] .phase-state`)?.textContent;
    expect(stage('read')).toBe('done');
    expect(stage('learn')).toBe('in progress');
    expect(stage('sort')).toBe('not started');
    expect(screen.getByText('Pass 2 of 12 over your photos')).toBeTruthy();
    // Technical words only inside the closed Advanced panel.
    const jargon = screen.queryAllByText(/epoch|Extract features|Train the model|loss/i);
    expect(jargon.every((el) => el.closest('details[data-testid="advanced"]') !== null)).toBe(true);
  });

  it('a finished Re-scan says Done and what it found, with no grouping stages left "not started"', async () => {
    const result = { scanned: 62, added: 2, changed: 0, moved: 0, missing: 0, duplicates: 0, failed: 0, errors: [], library: 1, seconds: 1, assignedNew: 2 };
    setup(library({ photoCount: 62, clusterCount: 3, currentRunId: 1 }), [job({ id: 9, kind: 'scan', state: 'done', progress: null, result }), job({ id: 8, kind: 'cluster', state: 'done', progress: null })]);
    expect(await screen.findByRole('heading', { name: 'Done' })).toBeTruthy();
    const stages = [...document.querySelectorAll('.phases [data-stage]')].map((el) => [el.getAttribute('data-stage'), el.querySelector('.phase-state')?.textContent]);
    expect(stages).toEqual([
      ['read', 'done'],
      ['place', 'done'],
    ]);
    expect(screen.getByText('Found 2 new photos and placed them in your groups.')).toBeTruthy();
    expect(screen.queryByText('Learning what is in them')).toBeNull();
    expect(screen.queryByText('not started')).toBeNull();
  });

  it('after a reload mid-training, draws the epochs the core recorded so far', async () => {
    const stats = (epoch: number) => ({ epoch, loss: 2 / epoch, pg: 1, pl: 1, pgAug: 0.5, plAug: 0.5, mi: -0.1, confidentShare: 0.2, graphPositives: 10, imagesPerSecond: 50 });
    const unfinished: RunInfo = { id: 0, libraryId: 1, mode: 'finetune', backbone: 'mobilenet', backend: 'auto', device: null, k: 3, kSuggested: null, kReasoning: null, partitionNote: null, groupsFrom: null, learnedFrom: null, config: {}, startedAt: '', finishedAt: null, seconds: null, lossHistory: [1, 2, 3].map(stats), isCurrent: false };
    const api = apiDouble({
      getLibrary: () => library({ photoCount: 60 }),
      listJobs: () => [job({ id: 7, state: 'running', progress: { phase: 'train', done: 120, total: 408, etaSeconds: 30, message: 'epoch 4 of 12' } })],
      listRuns: () => [unfinished],
      listScanErrors: () => ({ total: 0, items: [] }),
    });
    renderWithApi(<ActivityView libraryId={1} />, api);
    await waitFor(() => expect(document.querySelector('.chart-svg title')?.textContent).toMatch(/Epoch 3 of 12: loss 0\.667/));
  });

  it('says what the last run learned from the photos placed by hand, only when it learned from some', async () => {
    const run = (over: Partial<RunInfo>): RunInfo => ({ id: 2, libraryId: 1, mode: 'finetune', backbone: 'mobilenet', backend: 'wasm', device: null, k: 5, kSuggested: null, kReasoning: null, partitionNote: null, groupsFrom: null, learnedFrom: null, config: {}, startedAt: '', finishedAt: '2026-01-01T00:01:00Z', seconds: 60, lossHistory: [], isCurrent: true, ...over });
    const show = (r: RunInfo) =>
      renderWithApi(
        <ActivityView libraryId={1} />,
        apiDouble({ getLibrary: () => library({ photoCount: 60, clusterCount: 5, currentRunId: 2 }), listJobs: () => [], listRuns: () => [r], listScanErrors: () => ({ total: 0, items: [] }) }),
      );

    show(run({ learnedFrom: { photos: 46, groups: 5 }, partitionNote: 'Your groups were refined around the 46 photos you placed by hand (in 5 groups): …' }));
    expect(await screen.findByText('Learned from 46 photos you placed yourself, in 5 groups: photos that look like them were put with them.')).toBeTruthy();
    // No "compared two ways of sorting": a run that learned from the user compared nothing.
    expect(screen.queryByText(/compared two ways/)).toBeNull();
    // Also among the details under Advanced.
    expect(screen.getByText('46 photos you placed yourself, in 5 groups').closest('details[data-testid="advanced"]')).toBeTruthy();
    cleanup();

    show(run({ learnedFrom: null, partitionNote: 'Plain k-means groups were kept: …', groupsFrom: 'kmeans-checked' }));
    expect(await screen.findByRole('heading', { name: 'Last grouping' })).toBeTruthy();
    expect(screen.queryByText(/placed yourself/)).toBeNull();
    expect(screen.getByText(/compared two ways of sorting and kept the simpler one/)).toBeTruthy();
  });

  it('says how the groups were made: sorted by likeness without training, or the network kept after a comparison', async () => {
    const stats = { epoch: 1, loss: 1, pg: 1, pl: 1, pgAug: 0.5, plAug: 0.5, mi: -0.1, confidentShare: 0.2, graphPositives: 10, imagesPerSecond: 50 };
    const run = (over: Partial<RunInfo>): RunInfo => ({ id: 2, libraryId: 1, mode: 'finetune', backbone: 'mobilenet', backend: 'wasm', device: null, k: 5, kSuggested: null, kReasoning: null, partitionNote: null, groupsFrom: null, learnedFrom: null, config: {}, startedAt: '', finishedAt: '2026-01-01T00:01:00Z', seconds: 60, lossHistory: [], isCurrent: true, ...over });
    const show = (r: RunInfo) =>
      renderWithApi(
        <ActivityView libraryId={1} />,
        apiDouble({ getLibrary: () => library({ photoCount: 60, clusterCount: 5, currentRunId: 2 }), listJobs: () => [], listRuns: () => [r], listScanErrors: () => ({ total: 0, items: [] }) }),
      );

    show(run({ groupsFrom: 'kmeans', partitionNote: 'The photos were grouped by how alike they look (k-means of the pretrained network’s features): …' }));
    expect(await screen.findByText('Sorted by how alike the photos look: the best way measured for folders of this size.')).toBeTruthy();
    expect(screen.queryByText(/compared two ways/)).toBeNull();
    // Under Advanced: what was done, and no chart waiting for epochs that never come.
    const advanced = screen.getByTestId('advanced');
    expect(advanced.textContent).toMatch(/Grouped what a pretrained picture-recognition network sees in each photo \(k-means\), without training/);
    expect(advanced.textContent).toMatch(/No network was trained for these groups/);
    expect(advanced.textContent).not.toMatch(/fills in as training finishes/);
    expect(advanced.textContent).toMatch(/How the groups were made/);
    expect(advanced.textContent).not.toMatch(/Which grouping was kept/);
    expect(screen.queryByRole('heading', { name: /Last training run/ })).toBeNull();
    cleanup();

    show(run({ groupsFrom: 'network', partitionNote: 'The trained network’s groups were kept: …', lossHistory: [stats] }));
    expect(await screen.findByText(/compared two ways of sorting and kept the one it learned/)).toBeTruthy();
    expect(screen.getByTestId('advanced').textContent).toMatch(/Fine-tuned a pretrained picture-recognition network/);
    expect(screen.getByRole('heading', { name: 'Last training run (loss per epoch)' })).toBeTruthy();
    expect(screen.getByTestId('advanced').textContent).toMatch(/Which grouping was kept/);
    cleanup();

    // A run recorded before the app said how groups were made claims nothing.
    show(run({ groupsFrom: null, partitionNote: null }));
    expect(await screen.findByRole('heading', { name: 'Last grouping' })).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Last grouping' }).closest('section')!.querySelectorAll('p.muted')).toHaveLength(0);
  });

  it('gives advice per kind of failure', () => {
    expect(failureAdvice(job({ error: 'JavaScript heap out of memory' }))).toMatch(/ran out of memory/);
    expect(failureAdvice(job({ state: 'interrupted', error: 'stopped' }))).toMatch(/Resume continues/);
    expect(failureAdvice(job({ error: 'something else' }))).toMatch(/Retry/);
  });
});

// @vitest-environment happy-dom
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobInfo, LibraryInfo, Settings } from '../../../core/api.js';
import { apiDouble, renderWithApi } from '../test/apiDouble.js';
import { RegroupSuggestion } from './RegroupSuggestion.js';

const library = (over: Partial<LibraryInfo>): LibraryInfo => ({ id: 1, root: '/photos', name: 'photos', photoCount: 60, failedCount: 0, missingCount: 0, duplicateCount: 0, lastScanAt: '2026-01-01T00:00:00Z', currentRunId: 4, clusterCount: 3, placedByHandSinceGrouping: 0, ...over });
const settings = (mode: Settings['mode']): Settings => ({ k: 'auto', mode, backbone: 'mobilenet', backend: 'auto', epochs: null });
const job = (state: JobInfo['state']): JobInfo => ({ id: 9, libraryId: 1, kind: 'cluster', state, progress: null, result: null, error: null, createdAt: '', startedAt: null, finishedAt: null });

function show(lib: LibraryInfo, opts: { mode?: Settings['mode']; jobs?: readonly JobInfo[] } = {}) {
  const api = apiDouble({ getLibrary: () => lib, listJobs: () => opts.jobs ?? [], getSettings: () => settings(opts.mode ?? 'finetune') });
  renderWithApi(<RegroupSuggestion libraryId={1} />, api);
  return api;
}

/** Waits until every query the suggestion reads has answered, so that "not shown" is not "not loaded yet". */
async function settled(api: ReturnType<typeof show>) {
  await waitFor(() => {
    expect(api.getLibrary).toHaveBeenCalled();
    expect(api.listJobs).toHaveBeenCalled();
    expect(api.getSettings).toHaveBeenCalled();
  });
  await new Promise((r) => setTimeout(r, 20));
}

beforeEach(() => window.localStorage.clear());
afterEach(cleanup);

describe('RegroupSuggestion', () => {
  it('says how many photos were placed by hand, opens Group again, and goes to Progress once it started', async () => {
    window.location.hash = '#/library/1/groups';
    const api = show(library({ placedByHandSinceGrouping: 4 }));
    api.startClustering.mockImplementation(async () => job('queued'));
    const note = await screen.findByRole('region', { name: 'Group again with your corrections' });
    expect(note.textContent).toContain('You placed 4 photos by hand since these groups were made.');
    fireEvent.click(screen.getByRole('button', { name: 'Group again…' }));
    const dialog = await screen.findByRole('dialog', { name: 'Group again' });
    expect(window.location.hash).toBe('#/library/1/groups');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Start' }));
    await waitFor(() => expect(api.startClustering).toHaveBeenCalledWith({ libraryId: 1, k: 'auto' }));
    await waitFor(() => expect(window.location.hash).toBe('#/library/1/activity'));
  });

  it('stays quiet below three photos, for a from-scratch run, for 5,000 photos or more, and while a job runs', async () => {
    for (const [lib, opts] of [
      [library({ placedByHandSinceGrouping: 2 }), {}],
      [library({ placedByHandSinceGrouping: 10 }), { mode: 'scratch' as const }],
      [library({ placedByHandSinceGrouping: 10, photoCount: 5000 }), {}],
      [library({ placedByHandSinceGrouping: 10 }), { jobs: [job('running')] }],
    ] as const) {
      const api = show(lib, opts);
      await settled(api);
      expect(screen.queryByRole('region')).toBeNull();
      cleanup();
    }
    // The same library with a finished job does show it: the cases above were quiet for their reason.
    show(library({ placedByHandSinceGrouping: 10 }), { jobs: [job('done')] });
    expect(await screen.findByRole('region', { name: 'Group again with your corrections' })).toBeTruthy();
  });

  it('after "Not now", comes back only once as many more photos were placed again, or for new groups', async () => {
    show(library({ placedByHandSinceGrouping: 4 }));
    fireEvent.click(await screen.findByRole('button', { name: 'Not now' }));
    expect(screen.queryByRole('region')).toBeNull();
    cleanup();
    // Reloaded with two more placed: still quiet.
    await settled(show(library({ placedByHandSinceGrouping: 6 })));
    expect(screen.queryByRole('region')).toBeNull();
    cleanup();
    show(library({ placedByHandSinceGrouping: 7 }));
    expect((await screen.findByRole('region')).textContent).toContain('You placed 7 photos');
    cleanup();
    // Grouped again since: "Not now" was said to the old groups.
    show(library({ placedByHandSinceGrouping: 4, currentRunId: 5 }));
    expect(await screen.findByRole('region')).toBeTruthy();
  });
});

// @vitest-environment happy-dom
import { cleanup, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { LibraryInfo, Settings } from '../../../core/api.js';
import { apiDouble, renderWithApi } from '../test/apiDouble.js';
import { GroupAgainDialog } from './GroupAgainDialog.js';

const library: LibraryInfo = { id: 1, root: '/photos', name: 'photos', photoCount: 60, failedCount: 0, missingCount: 0, duplicateCount: 0, lastScanAt: '2026-01-01T00:00:00Z', currentRunId: 1, clusterCount: 3, placedByHandSinceGrouping: 0 };
const settings = (mode: Settings['mode']): Settings => ({ k: 'auto', mode, backbone: 'mobilenet', backend: 'auto', epochs: null });
const LEARNS = 'PhotoCluster learns from the photos you moved or kept: photos that look like them go to the same group, and every group holding such photos is kept.';

afterEach(cleanup);

describe('GroupAgainDialog', () => {
  it('says first that a fine-tune run learns from the photos the user moved or kept, then the other rules', async () => {
    const api = apiDouble({ getSettings: () => settings('finetune') });
    renderWithApi(<GroupAgainDialog library={library} onClose={() => {}} />, api);
    await waitFor(() => expect(api.getSettings).toHaveBeenCalled());
    const rules = [...document.querySelectorAll('.group-again-rules li')].map((li) => li.textContent);
    expect(rules[0]).toBe(LEARNS);
    expect(rules).toContain('Photos you moved by hand stay where you put them.');
  });

  it('does not promise it for a from-scratch run, which does not learn from them', async () => {
    renderWithApi(<GroupAgainDialog library={library} onClose={() => {}} />, apiDouble({ getSettings: () => settings('scratch') }));
    await waitFor(() => expect(screen.queryByText(LEARNS)).toBeNull());
    expect(document.querySelector('.group-again-rules li')?.textContent).toBe('Photos you moved by hand stay where you put them.');
  });

  it('does not promise it for a folder of 5,000 photos or more, where grouping again is an ordinary run', async () => {
    const api = apiDouble({ getSettings: () => settings('finetune') });
    renderWithApi(<GroupAgainDialog library={{ ...library, photoCount: 5000 }} onClose={() => {}} />, api);
    await waitFor(() => expect(api.getSettings).toHaveBeenCalled());
    expect(screen.queryByText(LEARNS)).toBeNull();
    expect(document.querySelector('.group-again-rules li')?.textContent).toBe('Photos you moved by hand stay where you put them.');
  });

  it('warns beside the choice of the number of groups that Automatic can choose too few', async () => {
    renderWithApi(<GroupAgainDialog library={library} onClose={() => {}} />, apiDouble({ getSettings: () => settings('finetune') }));
    const hint = await screen.findByText(/Automatic can choose too few groups/);
    expect(hint.closest('fieldset')?.querySelector('legend')?.textContent).toBe('Number of groups');
    expect(hint.textContent).toContain('If you know how many kinds there are, give the number.');
  });
});

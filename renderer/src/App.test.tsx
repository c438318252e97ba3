// @vitest-environment happy-dom
import { act, cleanup, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from './App.js';
import { apiDouble, renderWithApi } from './test/apiDouble.js';

afterEach(() => {
  cleanup();
  window.location.hash = '';
});

describe('App shell', () => {
  it('shows the offline state until the core answers, then the libraries', async () => {
    const api = apiDouble({ listLibraries: () => [] });
    const { connection } = renderWithApi(<App />, api, 'connecting');
    expect(screen.getByRole('heading', { name: 'Connecting to PhotoCluster…' })).toBeTruthy();
    expect(api.listLibraries).not.toHaveBeenCalled();
    act(() => connection.set('open'));
    expect(await screen.findByRole('heading', { name: 'No libraries yet' })).toBeTruthy();
    // Lost later: the content stays and a banner says what is going on.
    act(() => connection.set('connecting'));
    expect(screen.getByRole('alert').textContent).toMatch(/Connection to PhotoCluster lost/);
    expect(screen.getByRole('heading', { name: 'No libraries yet' })).toBeTruthy();
  });

  it('routes by the URL hash', async () => {
    window.location.hash = '#/library/3/history';
    const api = apiDouble({ listLibraries: () => [], listHistory: () => ({ entries: [], canUndo: false, canRedo: false }), listClusters: () => [], listJobs: () => [] });
    renderWithApi(<App />, api);
    expect(await screen.findByRole('heading', { name: 'History' })).toBeTruthy();
    expect(api.listHistory).toHaveBeenCalledWith({ libraryId: 3 });
  });
});

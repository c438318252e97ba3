// @vitest-environment happy-dom
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClusterInfo, EditResult } from '../../../core/api.js';
import { apiDouble, renderWithApi } from '../test/apiDouble.js';
import { GroupsView } from './GroupsView.js';

const cluster = (id: number, name: string, size: number, meanConfidence: number, hidden = false): ClusterInfo => ({ id, libraryId: 1, name, size, meanConfidence, hidden, coverPhotoIds: [id * 10], userNamed: false, suggestedName: null });

function setup(clusters: ClusterInfo[]) {
  let current = clusters;
  const api = apiDouble({
    listClusters: () => current,
    getLibrary: () => ({ id: 1, root: '/p', name: 'p', photoCount: 10, failedCount: 0, missingCount: 0, duplicateCount: 0, lastScanAt: null, currentRunId: 1, clusterCount: current.length, placedByHandSinceGrouping: 0 }),
    renameCluster: ({ clusterId, name }: { clusterId: number; name: string }): EditResult => {
      current = current.map((c) => (c.id === clusterId ? { ...c, name } : c));
      return { edit: { id: 1, libraryId: 1, kind: 'rename', description: `Renamed to ${name}`, createdAt: '', undone: false }, clusters: current, createdClusterIds: [] };
    },
    listHistory: () => ({ entries: [], canUndo: true, canRedo: false }),
  });
  renderWithApi(<GroupsView libraryId={1} onExport={() => {}} navigate={() => {}} />, api);
  return api;
}

afterEach(cleanup);

describe('GroupsView', () => {
  it('shows cards sorted by size, re-sorts by name, and keeps hidden groups apart', async () => {
    setup([cluster(1, 'Cats', 3, 0.9), cluster(2, 'Beach', 7, 0.5), cluster(3, 'Secret', 9, 0.8, true)]);
    const list = await screen.findByRole('list', { name: 'Groups' });
    const names = () => within(list).getAllByRole('heading').map((h) => h.textContent);
    expect(names()).toEqual(['Beach', 'Cats']);
    fireEvent.change(screen.getByRole('combobox', { name: /Sort by/ }), { target: { value: 'confidence' } });
    expect(names()).toEqual(['Cats', 'Beach']);
    expect(screen.getByText('Hidden groups (1)')).toBeTruthy();
    expect(within(screen.getByRole('list', { name: 'Hidden groups' })).getByRole('heading').textContent).toBe('Secret');
  });

  it('renames through the contract with the trimmed name, and refuses an empty one', async () => {
    const api = setup([cluster(1, 'Cats', 3, 0.9)]);
    fireEvent.click(await screen.findByRole('button', { name: 'Rename Cats' }));
    const input = screen.getByRole('textbox', { name: 'New name for Cats' });
    fireEvent.change(input, { target: { value: '   ' } });
    expect(screen.getByText('name is empty')).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Save' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(input, { target: { value: '  Kittens ' } });
    fireEvent.submit(input.closest('form')!);
    await waitFor(() => expect(api.renameCluster).toHaveBeenCalledWith({ clusterId: 1, name: 'Kittens' }));
    expect(await screen.findByRole('heading', { name: 'Kittens' })).toBeTruthy();
  });

  it('enables merge only with two groups chosen', async () => {
    setup([cluster(1, 'Cats', 3, 0.9), cluster(2, 'Dogs', 4, 0.9)]);
    const merge = (await screen.findByRole('button', { name: /Merge selected/ })) as HTMLButtonElement;
    expect(merge.disabled).toBe(true);
    fireEvent.click(screen.getByRole('checkbox', { name: 'Select Cats' }));
    expect(merge.disabled).toBe(true);
    fireEvent.click(screen.getByRole('checkbox', { name: 'Select Dogs' }));
    expect(merge.disabled).toBe(false);
    expect(merge.textContent).toBe('Merge selected (2)');
  });

  it('says what to do when there are no groups yet', async () => {
    setup([]);
    expect(await screen.findByRole('heading', { name: 'No groups yet' })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Go to progress' }).getAttribute('href')).toBe('#/library/1/activity');
  });
});

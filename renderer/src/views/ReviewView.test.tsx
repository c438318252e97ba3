// @vitest-environment happy-dom
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClusterInfo, EditResult, PhotoInfo } from '../../../core/api.js';
import { apiDouble, renderWithApi } from '../test/apiDouble.js';
import { ReviewView } from './ReviewView.js';

const cluster = (id: number, size: number, extra: Partial<ClusterInfo> = {}): ClusterInfo => ({
  id,
  libraryId: 1,
  name: `Group ${id}`,
  size,
  meanConfidence: 0.6,
  hidden: false,
  coverPhotoIds: [id * 10, id * 10 + 1, id * 10 + 2, id * 10 + 3],
  userNamed: false,
  suggestedName: null,
  ...extra,
});

const photo = (id: number, clusterId: number, confidence: number): PhotoInfo => ({
  id,
  name: `p${id}.jpg`,
  relPath: `p${id}.jpg`,
  width: 100,
  height: 100,
  takenAt: null,
  clusterId,
  confidence,
  source: 'model',
  isNew: false,
  status: 'ok',
});

const edit: EditResult = { edit: { id: 1, libraryId: 1, kind: 'move', description: 'Moved', createdAt: '', undone: false }, clusters: [], createdClusterIds: [] };

function setup(clusters: ClusterInfo[], likelyGroups: number[] = [], getPhoto?: (args: { photoId: number }) => unknown) {
  const api = apiDouble({
    listClusters: () => clusters,
    getPhoto: getPhoto ?? (({ photoId }: { photoId: number }) => ({ ...photo(photoId, 1, 0.22), size: 1, modifiedAt: '', cameraMake: null, cameraModel: null, format: 'jpeg', sha256: null, error: null, duplicateOf: null, likelyGroups })),
    listPhotos: () => ({ total: 2, items: [photo(7, 1, 0.22), photo(8, 2, 0.3)] }),
    movePhotos: () => edit,
    listHistory: () => ({ entries: [], canUndo: true, canRedo: false }),
    getLibrary: () => ({ id: 1, root: '/p', name: 'p', photoCount: 10, failedCount: 0, missingCount: 0, duplicateCount: 0, lastScanAt: null, currentRunId: 1, clusterCount: clusters.length, placedByHandSinceGrouping: 0 }),
  });
  renderWithApi(<ReviewView libraryId={1} />, api);
  return api;
}

afterEach(cleanup);

describe('ReviewView', () => {
  it('shows what each group holds beside its name: a few of its cover photos, and the suggested name of an unnamed group', async () => {
    setup([cluster(1, 30, { suggestedName: 'Trousers' }), cluster(2, 50, { suggestedName: 'Shoes' }), cluster(3, 40, { name: 'Hats I own', userNamed: true, suggestedName: null })]);
    const buttons = within(await screen.findByRole('list', { name: 'Groups to move it to' })).getAllByRole('button');
    // Largest first, the photo's own group left out; the user's own name stands alone.
    expect(buttons.map((b) => b.textContent!.replace(/\s+/g, ' '))).toEqual(['1 Group 2suggested: Shoes', '2 Hats I own']);
    // Three of each group's covers, as thumbnails, hidden from assistive technology: the name is the label.
    const covers = [...buttons[0]!.querySelectorAll('img')].map((img) => img.getAttribute('src'));
    expect(covers).toEqual(['/thumb/20', '/thumb/21', '/thumb/22']);
    expect(buttons[0]!.querySelector('.group-covers')!.getAttribute('aria-hidden')).toBe('true');
    expect(buttons[0]!.querySelector('img')!.getAttribute('alt')).toBe('A photo in Group 2');
    // The group the photo is in shows its covers too, so keeping it there is a choice made by looking.
    const keep = screen.getByRole('button', { name: /Keep in Group 1/ });
    expect([...keep.querySelectorAll('img')].map((img) => img.getAttribute('src'))).toEqual(['/thumb/10', '/thumb/11', '/thumb/12']);
  });

  it('still moves the photo with one key to the group listed under that number', async () => {
    const api = setup([cluster(1, 30), cluster(2, 50, { suggestedName: 'Shoes' }), cluster(3, 40)]);
    await screen.findByRole('button', { name: /Keep in Group 1/ });
    await waitFor(() => expect(screen.getByRole('button', { name: /Group 3/ }).hasAttribute('disabled')).toBe(false));
    fireEvent.keyDown(window, { key: '2' });
    await waitFor(() => expect(api.movePhotos).toHaveBeenCalledWith({ photoIds: [7], to: { clusterId: 3 } }));
  });

  it('offers the groups the model finds likeliest for the photo first, so key 1 is its likeliest other home', async () => {
    // Group 4 is the smallest, but the model's next guess for this photo; hidden groups are never offered.
    const api = setup([cluster(1, 30), cluster(2, 50), cluster(3, 40), cluster(4, 5), cluster(5, 60, { hidden: true })], [4, 5, 2]);
    await screen.findByText('Or move it to (likeliest first):');
    const buttons = within(screen.getByRole('list', { name: 'Groups to move it to' })).getAllByRole('button');
    expect(buttons.map((b) => b.textContent!.replace(/\s+/g, ' ').trim())).toEqual(['1 Group 4', '2 Group 2', '3 Group 3']);
    fireEvent.keyDown(window, { key: '1' });
    await waitFor(() => expect(api.movePhotos).toHaveBeenCalledWith({ photoIds: [7], to: { clusterId: 4 } }));
  });

  it('waits for the ranking before a number key moves anything: the targets are about to change places', async () => {
    const answers = new Map<number, (v: unknown) => void>();
    const api = setup([cluster(1, 30), cluster(2, 50), cluster(3, 40)], [], ({ photoId }) => new Promise((resolve) => answers.set(photoId, resolve)));
    const target = await screen.findByRole('button', { name: /Group 2/ });
    expect(target.hasAttribute('disabled')).toBe(true);
    fireEvent.keyDown(window, { key: '1' });
    fireEvent.click(target);
    expect(api.movePhotos).not.toHaveBeenCalled();
    // The next photo's ranking is asked for ahead of time too.
    expect([...answers.keys()].sort()).toEqual([7, 8]);
    answers.get(7)!({ ...photo(7, 1, 0.22), size: 1, modifiedAt: '', cameraMake: null, cameraModel: null, format: 'jpeg', sha256: null, error: null, duplicateOf: null, likelyGroups: [3] });
    await screen.findByText('Or move it to (likeliest first):');
    fireEvent.keyDown(window, { key: '1' });
    await waitFor(() => expect(api.movePhotos).toHaveBeenCalledWith({ photoIds: [7], to: { clusterId: 3 } }));
  });
});

// @vitest-environment happy-dom
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ClusterInfo } from '../../../core/api.js';
import { apiDouble, renderWithApi } from '../test/apiDouble.js';
import { SelectionBar } from './Gallery.js';

const cluster = (id: number, size: number, extra: Partial<ClusterInfo> = {}): ClusterInfo => ({ id, libraryId: 1, name: `Group ${id}`, size, meanConfidence: 0.5, hidden: false, coverPhotoIds: [], userNamed: false, suggestedName: null, ...extra });
const clusters = [cluster(1, 30), cluster(2, 50), cluster(3, 40), cluster(4, 5), cluster(5, 70, { hidden: true })];
const details = (photoId: number, likelyGroups: number[]) => ({ id: photoId, name: 'p.jpg', relPath: 'p.jpg', width: 1, height: 1, takenAt: null, clusterId: 1, confidence: 0.3, source: 'model', isNew: false, status: 'ok', size: 1, modifiedAt: '', cameraMake: null, cameraModel: null, format: 'jpeg', sha256: null, error: null, duplicateOf: null, likelyGroups });

function bar(onlyPhotoId: number | null, count: number) {
  const api = apiDouble({ getPhoto: ({ photoId }: { photoId: number }) => details(photoId, [4, 3]) });
  const onMove = vi.fn();
  renderWithApi(<SelectionBar count={count} onlyPhotoId={onlyPhotoId} clusters={clusters} clusterId={1} onMove={onMove} onReject={() => {}} onAccept={() => {}} onClear={() => {}} busy={false} />, api);
  const options = () => [...screen.getByRole('combobox', { name: /Move to/ }).querySelectorAll('option')].map((o) => o.textContent);
  return { api, onMove, options };
}

afterEach(cleanup);

describe('SelectionBar', () => {
  it("with one photo selected, lists the groups the model finds likeliest for it first in Move to", async () => {
    const { api, onMove, options } = bar(7, 1);
    await waitFor(() => expect(options()).toEqual(['choose a group…', 'Group 4', 'Group 3', 'Group 2', 'a new group']));
    expect(api.getPhoto).toHaveBeenCalledWith({ photoId: 7 });
    fireEvent.change(screen.getByRole('combobox', { name: /Move to/ }), { target: { value: '4' } });
    fireEvent.click(screen.getByRole('button', { name: 'Move' }));
    expect(onMove).toHaveBeenCalledWith({ clusterId: 4 });
  });

  it('with several photos selected, asks for no ranking and lists the other visible groups biggest first', () => {
    const { api, options } = bar(null, 3);
    expect(options()).toEqual(['choose a group…', 'Group 2', 'Group 3', 'Group 4', 'a new group']);
    expect(api.getPhoto).not.toHaveBeenCalled();
  });
});

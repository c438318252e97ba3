// @vitest-environment happy-dom
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { ExportPreview, JobInfo } from '../../../core/api.js';
import { apiDouble, renderWithApi } from '../test/apiDouble.js';
import { ExportDialog, spaceSentence } from './ExportDialog.js';

const clusters = [
  { id: 1, libraryId: 1, name: 'Cats', size: 2, meanConfidence: 0.9, hidden: false, coverPhotoIds: [], userNamed: true },
  { id: 2, libraryId: 1, name: 'Hidden', size: 5, meanConfidence: 0.9, hidden: true, coverPhotoIds: [], userNamed: false },
];
const preview = (fits: boolean): ExportPreview => ({
  destination: '/out',
  mode: 'copy',
  groups: [{ clusterId: 1, name: 'Cats', folder: '/out/Cats', files: 2, bytes: 3_000_000 }],
  files: 2,
  alreadyThere: 0,
  bytes: 3_000_000,
  bytesNeeded: 3_000_000,
  freeBytes: fits ? 1e9 : 1000,
  fits,
  problems: [],
});
const job = (state: JobInfo['state']): JobInfo => ({ id: 9, libraryId: 1, kind: 'export', state, progress: { phase: 'export', done: state === 'done' ? 2 : 1, total: 2, etaSeconds: 1, message: null }, result: state === 'done' ? { exported: 2, skipped: 0, bytes: 3_000_000 } : null, error: null, createdAt: '', startedAt: '', finishedAt: null });

afterEach(cleanup);

describe('ExportDialog', () => {
  it('previews, exports, follows the job events and offers to open the folder', async () => {
    const api = apiDouble({
      listClusters: () => clusters,
      getCapabilities: () => ({ platform: 'browser', version: '1', backends: [], activeBackend: null, backbones: [], canRevealInFileManager: true, canShowFolderDialog: false }),
      previewExport: () => preview(true),
      startExport: () => job('running'),
      getJob: () => job('running'),
      revealExport: () => ({ opened: true }),
    });
    renderWithApi(<ExportDialog libraryId={1} initialClusterIds={[]} onClose={() => {}} />, api);
    // Opened without a choice: every visible group, not the hidden one.
    expect(await screen.findByText('Groups (1 chosen)')).toBeTruthy();
    fireEvent.change(screen.getByRole('textbox', { name: 'Destination folder' }), { target: { value: ' /out ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Preview' }));
    await waitFor(() => expect(api.previewExport).toHaveBeenCalledWith({ libraryId: 1, clusterIds: [1], destination: '/out', mode: 'copy' }));
    expect(await screen.findByText(/Needs 3.00 MB of space\. 1.00 GB free there\./)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Export 2 photos' }));
    await screen.findByRole('progressbar', { name: 'Export progress' });
    api.emit('job', job('done'));
    expect(await screen.findByText('Export finished.')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Open folder' }));
    await waitFor(() => expect(api.revealExport).toHaveBeenCalledWith({ jobId: 9 }));
  });

  it('will not start an export that does not fit, and says why', async () => {
    const api = apiDouble({ listClusters: () => clusters, getCapabilities: () => ({ canRevealInFileManager: false, canShowFolderDialog: false, backends: [], backbones: [] }), previewExport: () => preview(false) });
    renderWithApi(<ExportDialog libraryId={1} initialClusterIds={[1]} onClose={() => {}} />, api);
    fireEvent.change(await screen.findByRole('textbox', { name: 'Destination folder' }), { target: { value: '/out' } });
    fireEvent.click(screen.getByRole('button', { name: 'Preview' }));
    expect(await screen.findByText(/Not enough room/)).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Export 2 photos' }) as HTMLButtonElement).disabled).toBe(true);
    expect(api.startExport).not.toHaveBeenCalled();
  });

  it('says how many photos are already there, and what the export had to tell', async () => {
    const caps = { canRevealInFileManager: false, canShowFolderDialog: false, backends: [], backbones: [] };
    const done: JobInfo = {
      ...job('done'),
      result: { exported: 1, alreadyThere: 300, skipped: 0, bytes: 1_500_000, notes: [{ path: '/lib/linkdir/x.jpg', reason: 'outside the library folder; copied, not moved' }] },
    };
    const api = apiDouble({
      listClusters: () => clusters,
      getCapabilities: () => caps,
      previewExport: () => ({ ...preview(true), files: 1, alreadyThere: 300 }),
      startExport: () => job('running'),
      getJob: () => job('running'),
    });
    renderWithApi(<ExportDialog libraryId={1} initialClusterIds={[1]} onClose={() => {}} />, api);
    fireEvent.change(await screen.findByRole('textbox', { name: 'Destination folder' }), { target: { value: '/out' } });
    fireEvent.click(screen.getByRole('button', { name: 'Preview' }));
    expect(await screen.findByText('300 photos already there from an earlier export of this library: not exported again.')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Export 1 photo' }));
    await screen.findByRole('progressbar', { name: 'Export progress' });
    api.emit('job', done);
    const status = await screen.findByRole('status');
    await waitFor(() => expect(status.textContent).toContain('1 file exported (1.50 MB), 300 already there from an earlier export.'));
    expect(screen.getByText('1 note')).toBeTruthy();
    expect(status.textContent).toContain('/lib/linkdir/x.jpg: outside the library folder; copied, not moved');
  });
});

describe('spaceSentence', () => {
  it('says the photos\' own size, and the block rounding only when it matters', () => {
    // 240 photos of ~800 bytes: 188 KB of photos that fill 831 KB of 4 KB blocks.
    expect(spaceSentence({ bytes: 188_000, bytesNeeded: 831_000 })).toBe('Needs 188 KB of space. On disk up to 831 KB, because every file fills at least one disk block.');
    expect(spaceSentence({ bytes: 3_000_000, bytesNeeded: 3_004_096 })).toBe('Needs 3.00 MB of space.');
    expect(spaceSentence({ bytes: 3_000_000, bytesNeeded: 0 })).toMatch(/no extra space/);
  });
});

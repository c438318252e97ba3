import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { LibraryInfo } from '../../../core/api.js';
import { Dialog, EmptyState, ErrorNote, Loading } from '../components/common.js';
import { FolderField } from '../components/FolderField.js';
import { errorMessage, useApi, useNotices } from '../data/context.js';
import { qk } from '../data/keys.js';
import { addLibraryAndGroup, scanAndGroup } from '../data/grouping.js';
import { useLibraries } from '../data/queries.js';
import { formatDateTime, plural } from '../lib/format.js';
import { formatRoute } from '../lib/route.js';

export function HomeView({ navigate }: { navigate: (hash: string) => void }) {
  const libraries = useLibraries();
  return (
    <div className="view home-view">
      <h2>Libraries</h2>
      <AddLibraryForm onAdded={(lib) => navigate(formatRoute({ view: 'activity', libraryId: lib.id }))} />
      {libraries.isPending && <Loading label="Loading libraries…" />}
      {libraries.isError && <ErrorNote error={libraries.error} retry={() => void libraries.refetch()} />}
      {libraries.data && libraries.data.length === 0 && (
        <EmptyState title="No libraries yet">
          <p>Choose a folder of photos above. PhotoCluster reads it, learns what is in the pictures and sorts them into groups you can rename, fix and export.</p>
          <p>Your originals are never changed.</p>
        </EmptyState>
      )}
      {libraries.data && libraries.data.length > 0 && (
        <section aria-labelledby="recent-heading">
          <h3 id="recent-heading">Recent libraries</h3>
          <ul className="library-list">
            {libraries.data.map((lib) => (
              <LibraryCard key={lib.id} library={lib} navigate={navigate} />
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}

function AddLibraryForm({ onAdded }: { onAdded: (lib: LibraryInfo) => void }) {
  // Browse opens beside the newest library's folder: where the next folder of photos most likely is.
  const newest = useLibraries().data?.at(-1)?.root;
  const startAt = newest ? newest.replace(/[\\/][^\\/]+[\\/]?$/, '') || undefined : undefined;
  const api = useApi();
  const qc = useQueryClient();
  const [root, setRoot] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!root.trim()) return;
    setBusy(true);
    setError(null);
    try {
      onAdded(await addLibraryAndGroup(api, qc, root.trim()));
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card add-library" onSubmit={(e) => void submit(e)} aria-label="Add a folder">
      <FolderField label="Folder with photos" value={root} onChange={setRoot} dialogTitle="Choose a folder of photos" required startAt={startAt} />
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      <button type="submit" className="primary" disabled={busy || !root.trim()}>
        {busy ? 'Adding…' : 'Add folder and group photos'}
      </button>
    </form>
  );
}

function LibraryCard({ library, navigate }: { library: LibraryInfo; navigate: (hash: string) => void }) {
  const api = useApi();
  const qc = useQueryClient();
  const { notify } = useNotices();
  const [confirmRemove, setConfirmRemove] = useState(false);

  async function rescan() {
    try {
      const job = await api.scanLibrary({ libraryId: library.id });
      notify(`Re-scanning ${library.name} (job ${job.id})`);
      navigate(formatRoute({ view: 'activity', libraryId: library.id }));
    } catch (err) {
      notify(errorMessage(err), { tone: 'error' });
    }
  }

  async function remove() {
    try {
      await api.removeLibrary({ libraryId: library.id });
      await qc.invalidateQueries({ queryKey: qk.libraries });
      notify(`Removed ${library.name} from PhotoCluster. The photos themselves were not touched.`);
    } catch (err) {
      notify(errorMessage(err), { tone: 'error' });
    }
    setConfirmRemove(false);
  }

  return (
    <li className="card library-card">
      <h4>
        <a href={formatRoute({ view: library.clusterCount > 0 ? 'groups' : 'activity', libraryId: library.id })}>{library.name}</a>
      </h4>
      <p className="muted path">{library.root}</p>
      <p>
        {plural(library.photoCount, 'photo')} · {plural(library.clusterCount, 'group')}
        {library.failedCount > 0 && <> · {plural(library.failedCount, 'file')} could not be read</>}
      </p>
      <p className="muted">Last scanned: {formatDateTime(library.lastScanAt)}</p>
      <div className="row">
        <button type="button" onClick={() => void rescan()}>
          Re-scan
        </button>
        {library.clusterCount === 0 && (
          <button type="button" onClick={() => void scanAndGroup(api, qc, library.id).then(() => navigate(formatRoute({ view: 'activity', libraryId: library.id })), (err) => notify(errorMessage(err), { tone: 'error' }))}>
            Group photos
          </button>
        )}
        <button type="button" className="danger" onClick={() => setConfirmRemove(true)}>
          Remove…
        </button>
      </div>
      {confirmRemove && (
        <Dialog title={`Remove ${library.name}?`} onClose={() => setConfirmRemove(false)}>
          <p>PhotoCluster forgets this library: its groups, names and edits. The photos in {library.root} stay exactly where they are.</p>
          <div className="row end">
            <button type="button" onClick={() => setConfirmRemove(false)}>
              Keep it
            </button>
            <button type="button" className="danger" onClick={() => void remove()}>
              Remove library
            </button>
          </div>
        </Dialog>
      )}
    </li>
  );
}

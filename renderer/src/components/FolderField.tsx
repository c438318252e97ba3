import { useQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { errorMessage, useApi, useNotices } from '../data/context.js';
import { useCapabilities } from '../data/queries.js';
import { Dialog, ErrorNote, Loading } from './common.js';

/**
 * A folder path the user types or picks: the native dialog in Electron, the server-side folder browser (limited to
 * the allowed root) in browser mode.
 */
/** `startAt`: where the browser opens when nothing is typed yet (e.g. beside the library's folder). */
export function FolderField(props: { label: string; value: string; onChange: (path: string) => void; dialogTitle: string; required?: boolean; startAt?: string | undefined }) {
  const api = useApi();
  const caps = useCapabilities();
  const { notify } = useNotices();
  const [browsing, setBrowsing] = useState(false);
  const id = useId();

  async function browse() {
    if (caps.data?.canShowFolderDialog) {
      try {
        const { path } = await api.showFolderDialog({ title: props.dialogTitle });
        if (path) props.onChange(path);
      } catch (err) {
        notify(errorMessage(err), { tone: 'error' });
      }
    } else {
      setBrowsing(true);
    }
  }

  return (
    <div className="field folder-field">
      <label htmlFor={id}>{props.label}</label>
      <div className="row">
        <input
          id={id}
          type="text"
          value={props.value}
          onChange={(e) => props.onChange(e.target.value)}
          placeholder="/home/you/Pictures"
          spellCheck={false}
          autoComplete="off"
          required={props.required}
        />
        <button type="button" onClick={() => void browse()}>
          Browse…
        </button>
      </div>
      {browsing && (
        <FolderBrowser
          title={props.dialogTitle}
          start={props.value || props.startAt || undefined}
          onPick={(p) => {
            props.onChange(p);
            setBrowsing(false);
          }}
          onClose={() => setBrowsing(false)}
        />
      )}
    </div>
  );
}

function FolderBrowser(props: { title: string; start: string | undefined; onPick: (path: string) => void; onClose: () => void }) {
  const api = useApi();
  const [path, setPath] = useState<string | undefined>(props.start);
  const listing = useQuery({
    queryKey: ['browse', path ?? null],
    queryFn: () => api.browseFolders(path ? { path } : {}),
    retry: false,
    staleTime: 0,
  });
  // A typed start path may not exist or lie outside the allowed root: fall back to the root.
  const failedStart = listing.isError && path !== undefined && path === props.start;

  return (
    <Dialog title={props.title} onClose={props.onClose} wide>
      {listing.isPending && <Loading label="Reading folders…" />}
      {listing.isError && !failedStart && <ErrorNote error={listing.error} retry={() => setPath(undefined)} />}
      {failedStart && (
        <div className="error-note" role="alert">
          <p>{errorMessage(listing.error)}</p>
          <button type="button" onClick={() => setPath(undefined)}>
            Start from the top
          </button>
        </div>
      )}
      {listing.data && (
        <>
          <p className="folder-path">
            <span className="muted">Folder:</span> <code>{listing.data.path}</code>
          </p>
          <p className="muted browse-limit">
            This browser shows only folders inside <code>{listing.data.root}</code>, the folder PhotoCluster was allowed to read when it started. For a folder elsewhere, type its path in the box instead.
          </p>
          <div className="row">
            <button type="button" disabled={listing.data.parent === null} onClick={() => setPath(listing.data.parent ?? undefined)}>
              ↑ Up one level
            </button>
            <button type="button" className="primary" onClick={() => props.onPick(listing.data.path)}>
              Choose this folder
            </button>
          </div>
          {listing.data.entries.length === 0 ? (
            <p className="muted">
              No folders inside this one{listing.data.parent === null ? ' — and this is the top of what can be browsed' : ''}. Choose it if your photos are right here, or type a path.
            </p>
          ) : (
            <ul className="folder-list" aria-label="Folders">
              {listing.data.entries.map((e) => (
                <li key={e.path}>
                  <button type="button" className="folder-entry" onClick={() => setPath(e.path)}>
                    <span aria-hidden="true">📁</span> {e.name}
                  </button>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </Dialog>
  );
}

import { ErrorNote, Loading } from '../components/common.js';
import { useEdit, useHistory } from '../data/queries.js';
import { formatDateTime } from '../lib/format.js';

/** Every edit as one line, newest first; undone ones stay visible (struck through) until a new edit replaces them. */
export function HistoryView({ libraryId }: { libraryId: number }) {
  const history = useHistory(libraryId);
  const undo = useEdit('undo', libraryId);
  const redo = useEdit('redo', libraryId);
  if (history.isPending) return <Loading />;
  if (history.isError) return <ErrorNote error={history.error} retry={() => void history.refetch()} />;
  const { entries, canUndo, canRedo } = history.data;
  return (
    <div className="view history-view">
      <header className="view-header">
        <h2>History</h2>
        <div className="row">
          <button type="button" disabled={!canUndo || undo.isPending} onClick={() => undo.mutate({ libraryId })} aria-keyshortcuts="Control+Z">
            Undo
          </button>
          <button type="button" disabled={!canRedo || redo.isPending} onClick={() => redo.mutate({ libraryId })} aria-keyshortcuts="Control+Shift+Z">
            Redo
          </button>
        </div>
      </header>
      {entries.length === 0 ? (
        <p className="muted">No edits yet. Renames, moves, merges, splits and hides show up here, and each can be undone.</p>
      ) : (
        <ol className="history-list" aria-label="Edits, newest first">
          {entries.map((e) => (
            <li key={e.id} className={e.undone ? 'undone' : ''}>
              <span className="history-kind">{e.kind}</span> <span className="history-text">{e.description}</span>{' '}
              <time className="muted" dateTime={e.createdAt}>
                {formatDateTime(e.createdAt)}
              </time>
              {e.undone && <span className="badge">undone</span>}
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

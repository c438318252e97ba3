import { useState } from 'react';
import type { ClusterInfo } from '../../../core/api.js';
import { EmptyState, ErrorNote, Loading, Thumb } from '../components/common.js';
import { usePhotoDropTarget } from '../components/dnd.js';
import { EditableName, MergeDialog, SplitDialog } from '../components/groupActions.js';
import { RegroupSuggestion } from '../components/RegroupSuggestion.js';
import { SuggestedName } from '../components/SuggestedName.js';
import { useClusters, useEdit, useLibrary } from '../data/queries.js';
import { formatPercent, plural } from '../lib/format.js';
import { formatRoute } from '../lib/route.js';
import { partitionHidden, sortClusters, type ClusterSort } from '../lib/sortClusters.js';

export function GroupsView({ libraryId, onExport, navigate }: { libraryId: number; onExport: (clusterIds: number[]) => void; navigate: (hash: string) => void }) {
  const clusters = useClusters(libraryId);
  const library = useLibrary(libraryId);
  const [sort, setSort] = useState<ClusterSort>('size');
  const [checked, setChecked] = useState<ReadonlySet<number>>(new Set());
  // The way back to hidden groups sits in the toolbar, not only at the foot of a long page.
  const [showHidden, setShowHidden] = useState(false);
  const [merging, setMerging] = useState(false);

  if (clusters.isPending) return <Loading label="Loading groups…" />;
  if (clusters.isError) return <ErrorNote error={clusters.error} retry={() => void clusters.refetch()} />;
  if (clusters.data.length === 0) {
    return (
      <EmptyState title="No groups yet" actions={<a className="button primary" href={formatRoute({ view: 'activity', libraryId })}>Go to progress</a>}>
        <p>
          {library.data && library.data.photoCount > 0
            ? `${plural(library.data.photoCount, 'photo')} are ready. Start grouping on the progress page; the groups appear here when it finishes.`
            : 'Once the folder is scanned and grouped, the groups appear here.'}
        </p>
      </EmptyState>
    );
  }

  const { visible, hidden } = partitionHidden(sortClusters(clusters.data, sort));
  const selected = clusters.data.filter((c) => checked.has(c.id));
  const toggle = (id: number) =>
    setChecked((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });

  return (
    <div className="view groups-view">
      <header className="view-header">
        <h2>Groups</h2>
        <div className="row toolbar" role="toolbar" aria-label="Group actions">
          <label className="inline-field">
            Sort by{' '}
            <select value={sort} onChange={(e) => setSort(e.target.value as ClusterSort)}>
              <option value="size">size</option>
              <option value="name">name</option>
              <option value="confidence">confidence</option>
            </select>
          </label>
          <button type="button" disabled={selected.length < 2} onClick={() => setMerging(true)}>
            Merge selected{selected.length ? ` (${selected.length})` : ''}
          </button>
          <button type="button" onClick={() => onExport(selected.length ? selected.map((c) => c.id) : visible.map((c) => c.id))}>
            {selected.length ? `Export selected (${selected.length})…` : 'Export…'}
          </button>
          {selected.length > 0 && (
            <button type="button" onClick={() => setChecked(new Set())}>
              Clear selection
            </button>
          )}
          {hidden.length > 0 && (
            <button type="button" aria-expanded={showHidden} onClick={() => setShowHidden(!showHidden)}>
              {showHidden ? 'Put hidden groups away' : `Show hidden groups (${hidden.length})`}
            </button>
          )}
        </div>
      </header>
      <RegroupSuggestion libraryId={libraryId} />
      <ul className="group-cards" aria-label="Groups">
        {visible.map((c) => (
          <GroupCard key={c.id} cluster={c} checked={checked.has(c.id)} onToggle={() => toggle(c.id)} />
        ))}
      </ul>
      {hidden.length > 0 && (
        <details className="hidden-groups" open={showHidden} onToggle={(e) => setShowHidden(e.currentTarget.open)}>
          <summary>Hidden groups ({hidden.length})</summary>
          <ul className="group-cards" aria-label="Hidden groups">
            {hidden.map((c) => (
              <GroupCard key={c.id} cluster={c} checked={checked.has(c.id)} onToggle={() => toggle(c.id)} />
            ))}
          </ul>
        </details>
      )}
      {merging && selected.length >= 2 && (
        <MergeDialog
          clusters={selected}
          onClose={() => setMerging(false)}
          onMerged={(id) => {
            setChecked(new Set());
            navigate(formatRoute({ view: 'group', libraryId, clusterId: id }));
          }}
        />
      )}
    </div>
  );
}

function GroupCard({ cluster, checked, onToggle }: { cluster: ClusterInfo; checked: boolean; onToggle: () => void }) {
  const move = useEdit('movePhotos', cluster.libraryId);
  const hide = useEdit('setClusterHidden', cluster.libraryId);
  const [splitting, setSplitting] = useState(false);
  const { over, dropProps } = usePhotoDropTarget((drag) => {
    if (drag.fromClusterId !== cluster.id) move.mutate({ photoIds: drag.photoIds, to: { clusterId: cluster.id } });
  });
  const href = formatRoute({ view: 'group', libraryId: cluster.libraryId, clusterId: cluster.id });
  return (
    <li className={`card group-card ${over ? 'drop-over' : ''} ${checked ? 'checked' : ''}`} {...dropProps} data-cluster-id={cluster.id}>
      <a href={href} className="mosaic" aria-label={`Open ${cluster.name}, ${plural(cluster.size, 'photo')}`}>
        {cluster.coverPhotoIds.slice(0, 4).map((id, i) => (
          <Thumb key={id} photoId={id} alt={`${cluster.name}, photo ${i + 1}`} />
        ))}
        {cluster.coverPhotoIds.length === 0 && <span className="mosaic-empty">No photos</span>}
      </a>
      <div className="group-card-body">
        <label className="check">
          <input type="checkbox" checked={checked} onChange={onToggle} aria-label={`Select ${cluster.name}`} />
        </label>
        <EditableName cluster={cluster} />
        <SuggestedName cluster={cluster} />
        <p className="muted">
          {plural(cluster.size, 'photo')} · {formatPercent(cluster.meanConfidence)} sure{cluster.hidden ? ' · hidden' : ''}
        </p>
        <div className="row small">
          <a href={href} className="button">
            Open
          </a>
          <button type="button" onClick={() => setSplitting(true)} disabled={cluster.size < 2} aria-label={`Split ${cluster.name}`}>
            Split…
          </button>
          <button type="button" onClick={() => hide.mutate({ clusterId: cluster.id, hidden: !cluster.hidden })} aria-label={`${cluster.hidden ? 'Show' : 'Hide'} ${cluster.name}`}>
            {cluster.hidden ? 'Show' : 'Hide'}
          </button>
        </div>
      </div>
      {splitting && <SplitDialog cluster={cluster} onClose={() => setSplitting(false)} />}
    </li>
  );
}

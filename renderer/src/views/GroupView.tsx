import { useMemo, useState } from 'react';
import type { ArgsIn } from '../../../core/api.js';
import { EmptyState, ErrorNote, Loading } from '../components/common.js';
import { Gallery } from '../components/Gallery.js';
import { groupLabel } from '../components/GroupPreview.js';
import { EditableName, MergeDialog, SplitDialog } from '../components/groupActions.js';
import { SuggestedName } from '../components/SuggestedName.js';
import type { PhotoListParams } from '../data/keys.js';
import { useClusters, useEdit } from '../data/queries.js';
import { formatPercent, plural } from '../lib/format.js';
import { formatRoute } from '../lib/route.js';

type Filter = NonNullable<ArgsIn<'listPhotos'>['filter']>;
const SORTS = {
  'confidence-asc': { sort: 'confidence', order: 'asc', label: 'least sure first' },
  'confidence-desc': { sort: 'confidence', order: 'desc', label: 'most sure first' },
  'name-asc': { sort: 'name', order: 'asc', label: 'file name' },
  'date-desc': { sort: 'date', order: 'desc', label: 'newest first' },
  'date-asc': { sort: 'date', order: 'asc', label: 'oldest first' },
} as const;
type SortKey = keyof typeof SORTS;

export function GroupView({ libraryId, clusterId, onExport, navigate }: { libraryId: number; clusterId: number; onExport: (ids: number[]) => void; navigate: (hash: string) => void }) {
  const clusters = useClusters(libraryId);
  const hide = useEdit('setClusterHidden', libraryId);
  const [filter, setFilter] = useState<Filter>('all');
  const [sortKey, setSortKey] = useState<SortKey>('confidence-desc');
  const [dialog, setDialog] = useState<'split' | 'merge' | null>(null);
  const [mergeWith, setMergeWith] = useState('');
  const params = useMemo<PhotoListParams>(
    () => ({ libraryId, clusterId, filter, sort: SORTS[sortKey].sort, order: SORTS[sortKey].order }),
    [libraryId, clusterId, filter, sortKey],
  );

  if (clusters.isPending) return <Loading />;
  if (clusters.isError) return <ErrorNote error={clusters.error} retry={() => void clusters.refetch()} />;
  const cluster = clusters.data.find((c) => c.id === clusterId);
  if (!cluster) {
    return (
      <EmptyState title="This group no longer exists" actions={<a className="button primary" href={formatRoute({ view: 'groups', libraryId })}>Back to the groups</a>}>
        <p>It was merged into another group, split, or removed by grouping again. Undo brings it back if that was a mistake.</p>
      </EmptyState>
    );
  }
  const others = clusters.data.filter((c) => c.id !== clusterId);
  const partner = others.find((c) => String(c.id) === mergeWith);

  return (
    <div className="view group-view">
      <header className="view-header">
        <div>
          <EditableName cluster={cluster} headingLevel={2} />
          <SuggestedName cluster={cluster} />
          <p className="muted">
            {plural(cluster.size, 'photo')} · {formatPercent(cluster.meanConfidence)} sure on average{cluster.hidden ? ' · hidden' : ''}
          </p>
        </div>
        <div className="row toolbar" role="toolbar" aria-label="Group actions">
          <button type="button" onClick={() => setDialog('split')} disabled={cluster.size < 2}>
            Split…
          </button>
          <label className="inline-field">
            Merge with{' '}
            <select value={mergeWith} onChange={(e) => setMergeWith(e.target.value)}>
              <option value="">choose…</option>
              {others.map((c) => (
                <option key={c.id} value={c.id}>
                  {groupLabel(c)}
                </option>
              ))}
            </select>
          </label>
          <button type="button" disabled={!partner} onClick={() => setDialog('merge')}>
            Merge…
          </button>
          <button type="button" onClick={() => hide.mutate({ clusterId, hidden: !cluster.hidden })}>
            {cluster.hidden ? 'Show group' : 'Hide group'}
          </button>
          <button type="button" onClick={() => onExport([clusterId])}>
            Export…
          </button>
        </div>
      </header>
      <div className="row toolbar" role="toolbar" aria-label="Photo list options">
        <label className="inline-field">
          Show{' '}
          <select value={filter} onChange={(e) => setFilter(e.target.value as Filter)}>
            <option value="all">all photos</option>
            <option value="unsure">unsure only</option>
            <option value="new">new since the last grouping</option>
          </select>
        </label>
        <label className="inline-field">
          Order{' '}
          <select value={sortKey} onChange={(e) => setSortKey(e.target.value as SortKey)}>
            {Object.entries(SORTS).map(([k, v]) => (
              <option key={k} value={k}>
                {v.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      <Gallery
        params={params}
        label={`Photos in ${cluster.name}`}
        clusterId={clusterId}
        clusters={clusters.data}
        emptyText={filter === 'all' ? 'This group is empty.' : 'No photos match this filter.'}
      />
      {dialog === 'split' && <SplitDialog cluster={cluster} onClose={() => setDialog(null)} />}
      {dialog === 'merge' && partner && (
        <MergeDialog clusters={[cluster, partner]} onClose={() => setDialog(null)} onMerged={(id) => navigate(formatRoute({ view: 'group', libraryId, clusterId: id }))} />
      )}
    </div>
  );
}

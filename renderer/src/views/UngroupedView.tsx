import { useMemo } from 'react';
import { ErrorNote, Loading } from '../components/common.js';
import { Gallery } from '../components/Gallery.js';
import type { PhotoListParams } from '../data/keys.js';
import { useClusters } from '../data/queries.js';

/** Photos in no group (taken out with "not this group", or not assigned): where they can be found and placed. */
export function UngroupedView({ libraryId }: { libraryId: number }) {
  const clusters = useClusters(libraryId);
  const params = useMemo<PhotoListParams>(() => ({ libraryId, clusterId: null, sort: 'name', order: 'asc' }), [libraryId]);
  if (clusters.isPending) return <Loading />;
  if (clusters.isError) return <ErrorNote error={clusters.error} retry={() => void clusters.refetch()} />;
  return (
    <div className="view ungrouped-view">
      <header className="view-header">
        <div>
          <h2>Not in a group</h2>
          <p className="muted">Photos you took out of a group, or that the model could not place. Select them and move them, or drag them onto a group.</p>
        </div>
      </header>
      <Gallery params={params} label="Photos not in any group" clusterId={null} clusters={clusters.data} emptyText="Every photo is in a group." />
    </div>
  );
}

import type { ClusterInfo } from '../../../core/api.js';
import { useEdit } from '../data/queries.js';

/**
 * The name the photos suggest for a group nobody has named yet, taken with one click. It goes through the same rename
 * as typing a name, so it is in the history and Undo gives the old name back.
 */
export function SuggestedName({ cluster }: { cluster: ClusterInfo }) {
  const rename = useEdit('renameCluster', cluster.libraryId);
  if (cluster.userNamed || !cluster.suggestedName) return null;
  const name = cluster.suggestedName;
  return (
    <p className="suggested-name" title="Most of the photos looked at in this group show this">
      <span>
        Suggested name: <strong>{name}</strong>
      </span>{' '}
      <button type="button" className="small" disabled={rename.isPending} aria-label={`Use the name ${name} for ${cluster.name}`} onClick={() => rename.mutate({ clusterId: cluster.id, name })}>
        Use this name
      </button>
    </p>
  );
}

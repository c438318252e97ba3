import type { ClusterInfo } from '../../../core/api.js';
import { usePlatform } from '../data/context.js';

/**
 * A group's name as a list of move targets shows it: while the user has not named the group, "Group 3" alone says
 * nothing of what it holds, so the name its photos suggest goes with it.
 */
export function groupLabel(cluster: ClusterInfo): string {
  const suggested = suggestionShown(cluster);
  return suggested ? `${cluster.name} — suggested: ${suggested}` : cluster.name;
}

/** The suggested name shown beside a group's own: none once the user has named it. */
function suggestionShown(cluster: ClusterInfo): string | null {
  return cluster.userNamed ? null : cluster.suggestedName;
}

/**
 * A few of a group's cover photos, small, beside its name where the user picks a group for a photo: the photos show
 * what the group holds when its name does not. Hidden from assistive technology, where the group's name already
 * labels the control; each still carries alt text, shown if the thumbnail cannot load.
 */
export function GroupCovers({ cluster, count = 3 }: { cluster: ClusterInfo; count?: number }) {
  const { thumbUrl } = usePlatform();
  const ids = cluster.coverPhotoIds.slice(0, count);
  if (ids.length === 0) return null;
  return (
    <span className="group-covers" aria-hidden="true">
      {ids.map((id) => (
        <img key={id} src={thumbUrl(id)} alt={`A photo in ${cluster.name}`} loading="lazy" decoding="async" draggable={false} />
      ))}
    </span>
  );
}

/** A move target's text: the group's name, and beneath it the suggested name while the user has not named it. */
export function GroupChoiceText({ cluster }: { cluster: ClusterInfo }) {
  const suggested = suggestionShown(cluster);
  return (
    <span className="group-choice-text">
      <span>{cluster.name}</span>
      {suggested && <small className="muted">suggested: {suggested}</small>}
    </span>
  );
}

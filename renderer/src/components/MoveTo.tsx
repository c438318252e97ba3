import { useState } from 'react';
import type { ClusterInfo } from '../../../core/api.js';
import { groupLabel } from './GroupPreview.js';

export type MoveTarget = { clusterId: number } | { newCluster?: string };

/** "Move to [group ▾] [Move]": the groups offered as targets, plus a new group. */
export function MoveTo({ clusters, disabled, onMove }: { clusters: readonly ClusterInfo[]; disabled: boolean; onMove: (to: MoveTarget) => void }) {
  const [target, setTarget] = useState('');
  return (
    <>
      <label className="inline-field">
        Move to{' '}
        <select value={target} onChange={(e) => setTarget(e.target.value)}>
          <option value="">choose a group…</option>
          {clusters.map((c) => (
            <option key={c.id} value={c.id}>
              {groupLabel(c)}
            </option>
          ))}
          <option value="new">a new group</option>
        </select>
      </label>
      <button type="button" disabled={!target || disabled} onClick={() => onMove(target === 'new' ? {} : { clusterId: Number(target) })}>
        Move
      </button>
    </>
  );
}

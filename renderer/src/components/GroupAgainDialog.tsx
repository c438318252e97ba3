import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { LEARNS_FROM_PLACEMENTS_BELOW, type LibraryInfo } from '../../../core/api.js';
import { errorMessage, useApi, useNotices } from '../data/context.js';
import { scanAndGroup } from '../data/grouping.js';
import { useSettings } from '../data/queries.js';
import { Dialog } from './common.js';
import { GroupCountHint } from './GroupCountHint.js';

/**
 * Whether "Group again" learns from the photos placed by hand: only fine-tune runs on folders below
 * LEARNS_FROM_PLACEMENTS_BELOW photos do, and the promise is not made otherwise (the run takes the mode from the
 * settings; until they arrive it is made, as fine-tune is the default).
 */
export function useLearnsFromPlacements(library: LibraryInfo): boolean {
  return useSettings().data?.mode !== 'scratch' && library.photoCount < LEARNS_FROM_PLACEMENTS_BELOW;
}

/**
 * Asks before re-grouping: how many groups, and what happens to the user's edits (the rules are core's applyRun and
 * editRules: moved photos are pinned, renamed groups keep their names when their photos mostly stay together; a
 * fine-tune run also learns from the pinned photos, core's runGuide).
 */
export function GroupAgainDialog({ library, onClose, onStarted }: { library: LibraryInfo; onClose: () => void; onStarted?: () => void }) {
  const api = useApi();
  const qc = useQueryClient();
  const { notify } = useNotices();
  const [how, setHow] = useState<'auto' | 'fixed'>('auto');
  const [n, setN] = useState(Math.max(2, library.clusterCount || 6));
  const [starting, setStarting] = useState(false);
  const first = library.clusterCount === 0;
  const learns = useLearnsFromPlacements(library);
  const valid = how === 'auto' || (Number.isInteger(n) && n >= 2 && n <= 500);
  const start = () => {
    setStarting(true);
    scanAndGroup(api, qc, library.id, { k: how === 'auto' ? 'auto' : n }).then(() => {
      onClose();
      onStarted?.();
    }, (err) => {
      setStarting(false);
      notify(errorMessage(err), { tone: 'error' });
    });
  };
  return (
    <Dialog title={first ? 'Group photos' : 'Group again'} onClose={onClose} className="group-again-dialog">
      <fieldset>
        <legend>Number of groups</legend>
        <label className="radio">
          <input type="radio" name="group-count" checked={how === 'auto'} onChange={() => setHow('auto')} /> Automatic — PhotoCluster decides
        </label>
        <label className="radio">
          <input type="radio" name="group-count" checked={how === 'fixed'} onChange={() => setHow('fixed')} /> Exactly
          <input
            type="number"
            aria-label="Number of groups"
            min={2}
            max={500}
            value={n}
            disabled={how !== 'fixed'}
            onChange={(e) => setN(Number(e.target.value))}
          />{' '}
          groups
        </label>
        <GroupCountHint />
      </fieldset>
      {!first && (
        <ul className="group-again-rules">
          {learns && <li>PhotoCluster learns from the photos you moved or kept: photos that look like them go to the same group, and every group holding such photos is kept.</li>}
          <li>Photos you moved by hand stay where you put them.</li>
          <li>Photos you kept in Review stay in their group, and a photo you said is not in a group is never put back there.</li>
          <li>Groups you renamed keep their names when most of their photos end up together again.</li>
          <li>Groups you merged or split are sorted again like the rest: merging and splitting do not fix photos in place.</li>
          <li>Everything else may be sorted differently. Your photos themselves are never changed.</li>
        </ul>
      )}
      <div className="row dialog-actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button type="button" className="primary" disabled={!valid || starting} onClick={start}>
          Start
        </button>
      </div>
    </Dialog>
  );
}

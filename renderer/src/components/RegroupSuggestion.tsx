import { useState } from 'react';
import type { LibraryInfo } from '../../../core/api.js';
import { useJobs, useLibrary, useSettings } from '../data/queries.js';
import { isActive } from '../lib/jobs.js';
import { plural } from '../lib/format.js';
import { formatRoute } from '../lib/route.js';
import { GroupAgainDialog, useLearnsFromPlacements } from './GroupAgainDialog.js';

/**
 * Photos placed by hand since the groups were made before "Group again" is suggested. Grouping again after a few
 * corrections is what lifts the groups above what the app finds alone (README, "Correcting a few photos": five per
 * group, +0.10 ACC on the clothing photos). It gains on average from the first photo placed (`bench finetune
 * --corrections 1t,3t`, README "Edits and re-grouping"); three is so that a single drag does not bring the
 * suggestion up.
 */
export const SUGGEST_REGROUP_FROM = 3;

const dismissalKey = (library: LibraryInfo) => `photocluster.regroupSuggestion.${library.id}.${library.currentRunId}`;

/** How many photos were placed by hand when the user last said "Not now" to these groups (kept in this profile). */
function readDismissal(library: LibraryInfo): number | null {
  try {
    const v = Number(window.localStorage.getItem(dismissalKey(library)));
    return Number.isInteger(v) && v > 0 ? v : null;
  } catch {
    return null; // storage blocked: the suggestion shows again after a reload
  }
}

function saveDismissal(library: LibraryInfo, count: number): void {
  try {
    window.localStorage.setItem(dismissalKey(library), String(count));
  } catch {
    // storage blocked: "Not now" lasts until the page is reloaded
  }
}

/**
 * Once the user has moved or kept a few photos by hand, says that grouping again lets them guide the rest, with the
 * button that does it. Not while a job runs, not where a run would not learn from them, and after "Not now" only once
 * as many more photos were placed again.
 */
export function RegroupSuggestion({ libraryId }: { libraryId: number }) {
  const library = useLibrary(libraryId);
  const jobs = useJobs(libraryId);
  // Settings too: what the run would do is only known once they arrive.
  const settings = useSettings();
  if (!library.data || !jobs.data || !settings.data || jobs.data.some(isActive)) return null;
  // Keyed by the run: "Not now" was said to these groups, not to the next ones.
  return <Suggestion key={library.data.currentRunId} library={library.data} />;
}

function Suggestion({ library }: { library: LibraryInfo }) {
  const learns = useLearnsFromPlacements(library);
  const [dismissedAt, setDismissedAt] = useState(() => readDismissal(library));
  const [asking, setAsking] = useState(false);
  const placed = library.placedByHandSinceGrouping;
  const dismissed = dismissedAt !== null && placed < dismissedAt + SUGGEST_REGROUP_FROM;
  if (!learns || placed < SUGGEST_REGROUP_FROM || dismissed) return null;
  const notNow = () => {
    saveDismissal(library, placed);
    setDismissedAt(placed);
  };
  return (
    <section className="regroup-suggestion" aria-label="Group again with your corrections">
      <p>
        You placed {plural(placed, 'photo')} by hand since these groups were made. Group again to let them guide the rest:
        photos that look like them join them, and they stay where you put them.
      </p>
      <div className="row">
        <button type="button" className="primary" onClick={() => setAsking(true)}>
          Group again…
        </button>
        <button type="button" onClick={notNow}>
          Not now
        </button>
      </div>
      {asking && (
        // To Progress once it starts, as from the first grouping: the run is seen working, and it opens the groups at the end.
        <GroupAgainDialog library={library} onClose={() => setAsking(false)} onStarted={() => (window.location.hash = formatRoute({ view: 'activity', libraryId: library.id }))} />
      )}
    </section>
  );
}

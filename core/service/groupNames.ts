/**
 * The grouping job's last step: a suggested name per group the user has not named, recorded for the run that made
 * the groups. It runs after the groups are written (they show at once) and never fails the run: a missing model or
 * any other failure is logged and the groups simply have no suggestion.
 */
import type { Database } from '../store/db.js';
import { groupsToName, recordNameSuggestions, userGroupNames } from '../store/groupNames.js';
import { currentRunId } from '../store/libraries.js';
import type { DataPaths } from '../paths.js';
import type { EventBus } from './events.js';
import type { JobContext } from './jobManager.js';
import type { MlClient } from './mlClient.js';

/** Photos looked at per group: enough for a majority to mean something, few enough to take seconds on a CPU. */
export const NAME_SAMPLE = 24;

export interface GroupNamesDeps {
  db: Database;
  paths: Pick<DataPaths, 'cacheDir' | 'modelsDir'>;
  ml: Pick<MlClient, 'suggestNames'>;
  events: Pick<EventBus, 'emit'>;
  log: (line: string) => void;
}

/**
 * Returns how many groups got a suggestion. `download`: whether the naming model may be fetched for this; scratch mode
 * promises a grouping that needs no download, so there groups are named only if the model is already here.
 */
export async function suggestGroupNames(deps: GroupNamesDeps, libraryId: number, ctx: Pick<JobContext<unknown>, 'signal' | 'progress'>, download = true): Promise<number> {
  try {
    const runId = currentRunId(deps.db, libraryId);
    if (runId === null) return 0;
    const groups = groupsToName(deps.db, libraryId, NAME_SAMPLE);
    if (!groups.length) return 0;
    const out = await deps.ml.suggestNames(
      { cacheDir: deps.paths.cacheDir, modelsDir: deps.paths.modelsDir, backend: 'auto', download, groups, taken: userGroupNames(deps.db, libraryId) },
      { signal: ctx.signal, onProgress: (p) => ctx.progress(p) },
    );
    if (out.unavailable) {
      deps.log(`group names: none suggested, the naming model is not available (${out.unavailable})`);
      return 0;
    }
    const suggestions = out.groups.flatMap((g) => (g.suggestion ? [{ clusterId: g.id, ...g.suggestion }] : []));
    // The library was grouped again (or deleted) while the worker was busy: these names are for groups now gone.
    if (currentRunId(deps.db, libraryId) !== runId) return 0;
    recordNameSuggestions(deps.db, libraryId, runId, suggestions);
    deps.events.emit('libraryChanged', { libraryId, parts: ['clusters'] });
    return suggestions.length;
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    deps.log(`group names: none suggested (${(err as Error)?.message ?? String(err)})`);
    return 0;
  }
}

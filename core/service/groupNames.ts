/**
 * Suggested names for the groups the user has not named. A grouping names every group as its last step; after a Re-scan
 * or an edit (a split, a merge, an undo, photos moved) only the groups whose surest photos changed are named again, so
 * the names of the others stay as the user saw them. Naming never fails the job it runs in: a missing model or any
 * other failure is logged and the groups simply keep what they had.
 */
import type { Database } from '../store/db.js';
import { groupsToName, namedSamples, recordGroupNamings, suggestedNames, userGroupNames } from '../store/groupNames.js';
import { currentRunId } from '../store/libraries.js';
import { isBackboneInstalled } from '../ml/backbones/download.js';
import { NAMING_MODEL } from '../ml/names/nameGroups.js';
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
 * Whether a group's name is worth reading again: it was never named in this grouping, or at least a quarter of the
 * photos it would be named from now were not looked at last time (or the other way round). One photo moved out of a
 * big group's surest two dozen does not change what they agree on; a split or a merge does.
 */
export function sampleChanged(now: readonly string[], before: readonly string[] | undefined): boolean {
  if (!before) return true;
  const was = new Set(before);
  const is = new Set(now);
  const added = now.filter((h) => !was.has(h)).length;
  const gone = before.filter((h) => !is.has(h)).length;
  return Math.max(added, gone) >= Math.max(1, Math.ceil(Math.max(now.length, before.length) / 4));
}

/**
 * The groups of the current grouping whose names are due (see sampleChanged), each with the photos to look at and the
 * name it shows now (which it keeps where its photos still agree on it). `shown` (suggestedNames) may be passed in by a
 * caller that reads it anyway.
 */
export function groupsDueForNames(
  db: Database,
  libraryId: number,
  shown: ReadonlyMap<number, { name: string }> = suggestedNames(db, libraryId),
): Array<{ id: number; hashes: string[]; shown: string | null }> {
  if (currentRunId(db, libraryId) === null) return [];
  const before = namedSamples(db, libraryId);
  return groupsToName(db, libraryId, NAME_SAMPLE)
    .filter((g) => sampleChanged(g.hashes, before.get(g.id)))
    .map((g) => ({ ...g, shown: shown.get(g.id)?.name ?? null }));
}

/**
 * Whether an edit left groups a naming job could name: some are due and the naming model is here (a naming job never
 * downloads it, so without it there is nothing to wait for).
 */
export async function namesDue(db: Database, modelsDir: string, libraryId: number): Promise<boolean> {
  return groupsDueForNames(db, libraryId).length > 0 && (await isBackboneInstalled(NAMING_MODEL, modelsDir));
}

/**
 * Names the groups that are due (after a new grouping, all of them) and returns how many got a suggestion; the names
 * the other groups show are not suggested again. `download`: whether the naming model may be fetched for this; scratch
 * mode promises a grouping that needs no download, so there groups are named only if the model is already here.
 */
export async function suggestGroupNames(deps: GroupNamesDeps, libraryId: number, ctx: Pick<JobContext<unknown>, 'signal' | 'progress'>, download = true): Promise<number> {
  try {
    const runId = currentRunId(deps.db, libraryId);
    if (runId === null) return 0;
    const shown = suggestedNames(deps.db, libraryId);
    const groups = groupsDueForNames(deps.db, libraryId, shown);
    if (!groups.length) return 0;
    const naming = new Set(groups.map((g) => g.id));
    const others = [...shown].filter(([id]) => !naming.has(id)).map(([, s]) => s.name);
    const out = await deps.ml.suggestNames(
      { cacheDir: deps.paths.cacheDir, modelsDir: deps.paths.modelsDir, backend: 'auto', download, groups, taken: [...userGroupNames(deps.db, libraryId), ...others] },
      { signal: ctx.signal, onProgress: (p) => ctx.progress(p) },
    );
    if (out.unavailable) {
      deps.log(`group names: none suggested, the naming model is not available (${out.unavailable})`);
      return 0;
    }
    // The library was grouped again (or deleted) while the worker was busy: these names are for groups now gone.
    if (currentRunId(deps.db, libraryId) !== runId) return 0;
    const looked = new Map(groups.map((g) => [g.id, g.hashes]));
    const namings = out.groups.map((g) => ({ clusterId: g.id, hashes: looked.get(g.id) ?? [], suggestion: g.suggestion }));
    const named = recordGroupNamings(deps.db, libraryId, runId, namings);
    deps.events.emit('libraryChanged', { libraryId, parts: ['clusters'] });
    return named;
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    deps.log(`group names: none suggested (${(err as Error)?.message ?? String(err)})`);
    return 0;
  }
}

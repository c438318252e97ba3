/**
 * The one pipeline behind every way photos get into groups: adding a folder, Re-scan, Group again, and the CLI's
 * `scan` and `cluster`. Each runs as one job: scan the folder, then either group the whole library again (features →
 * training → grouping that keeps the user's edits) or, when only a re-scan was asked for, place the photos that are
 * new since the last grouping with the model that made it.
 */
import type { ScanSummary } from '../library/index.js';
import { assignNewPhotos, groupLibrary, type ClusterJobArgs, type ClusterJobResult } from './clusterJob.js';
import { scanPhase, type HandlerDeps } from './jobHandlers.js';
import type { JobContext } from './jobManager.js';

export interface ScanJobArgs {
  libraryId: number;
}

/** The scan's counts, and how many new photos went into existing groups without retraining. */
export type ScanJobResult = ScanSummary & { assignedNew: number };

/** Re-scan: the folder is read again and new photos are placed by the current model. */
export async function rescanLibrary(deps: HandlerDeps, ctx: JobContext<unknown>, { libraryId }: ScanJobArgs): Promise<ScanJobResult> {
  const summary = await scanPhase(deps, libraryId, ctx);
  const assignedNew = await assignNewPhotos(deps, libraryId, ctx);
  return { ...summary, assignedNew };
}

/** Group (again): the folder is read again so the grouping sees what is there now, then the library is re-grouped. */
export async function scanAndGroupLibrary(deps: HandlerDeps, ctx: JobContext<unknown>, args: ClusterJobArgs): Promise<ClusterJobResult> {
  await scanPhase(deps, args.libraryId, ctx);
  return groupLibrary(deps, ctx, args);
}

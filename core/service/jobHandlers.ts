/** What each kind of job does. Scans and exports run in the service process; ML runs in the worker. */
import type { Database } from '../store/db.js';
import type { DataPaths } from '../paths.js';
import { ApiError } from '../api.js';
import { scanLibrary, ScanBusyError, ScanRootError, type ScanSummary } from '../library/index.js';
import type { EventBus } from './events.js';
import type { EditLog } from './edits.js';
import type { JobContext, JobHandler, JobHandlers } from './jobs.js';
import type { MlHost } from './mlHost.js';
import type { ClusterJobArgs } from './clusterJob.js';
import { rescanLibrary, scanAndGroupLibrary, type ScanJobArgs, type ScanJobResult } from './libraryPipeline.js';
import { runLibraryExport, type LibraryExportArgs } from './exportJob.js';

export interface HandlerDeps {
  db: Database;
  paths: DataPaths;
  events: EventBus;
  ml: MlHost;
  editLog: EditLog;
  log: (line: string) => void;
}

function libraryRoot(db: Database, libraryId: number): string {
  const root = db.prepare(`SELECT root FROM libraries WHERE id = ?`).pluck().get(libraryId) as string | undefined;
  if (!root) throw new ApiError('not_found', `no library ${libraryId}`);
  return root;
}

/** Scans the library, reporting progress as the job's: the first step of the library pipeline. */
export async function scanPhase(deps: HandlerDeps, libraryId: number, ctx: JobContext<unknown>): Promise<ScanSummary> {
  try {
    const summary = await scanLibrary({
      db: deps.db,
      root: libraryRoot(deps.db, libraryId),
      cacheDir: deps.paths.cacheDir,
      signal: ctx.signal,
      onProgress: (p) => ctx.progress({ phase: p.phase === 'walking' ? 'finding photos' : 'reading photos', done: p.done, total: p.total, message: p.path }),
    });
    deps.events.emit('libraryChanged', { libraryId, parts: ['library', 'photos'] });
    return summary;
  } catch (err) {
    if (err instanceof ScanRootError || err instanceof ScanBusyError) throw new ApiError('conflict', err.message);
    throw err;
  }
}

export function createJobHandlers(deps: HandlerDeps): JobHandlers {
  const scan: JobHandler<ScanJobArgs, ScanJobResult> = {
    lane: 'main',
    run: (ctx) => rescanLibrary(deps, ctx, ctx.args),
  };
  const cluster: JobHandler<ClusterJobArgs> = {
    lane: 'main',
    run: (ctx) => scanAndGroupLibrary(deps, ctx, ctx.args),
  };
  const exportJob: JobHandler<LibraryExportArgs> = {
    lane: 'export',
    run: (ctx) => runLibraryExport(deps.db, ctx),
  };
  return { scan, cluster, export: exportJob };
}

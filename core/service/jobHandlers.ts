/** What each kind of job does. Scans and exports run in the service process; ML runs in the worker. */
import type { Database } from '../store/db.js';
import { libraryRoot as storedRoot } from '../store/libraries.js';
import { forgetFinishedJobs } from '../store/jobs.js';
import type { DataPaths } from '../paths.js';
import { z } from 'zod';
import { ApiError, argSchemas, type JobKind } from '../api.js';
import { scanLibrary, ScanBusyError, ScanRootError, type ScanSummary } from '../library/index.js';
import type { EventBus } from './events.js';
import type { EditLog } from './edits.js';
import type { JobContext, JobHandler } from './jobManager.js';
import type { MlClient } from './mlClient.js';
import type { ClusterJobArgs, ClusterJobResult } from './clusterJob.js';
import { rescanLibrary, scanAndGroupLibrary, type ScanJobArgs, type ScanJobResult } from './libraryPipeline.js';
import { runLibraryExport, type LibraryExportArgs } from './exportJob.js';
import type { ExportResult } from './export/index.js';
import { suggestGroupNames } from './groupNames.js';

export interface HandlerDeps {
  db: Database;
  paths: DataPaths;
  events: EventBus;
  ml: MlClient;
  editLog: EditLog;
  log: (line: string) => void;
}

function libraryRoot(db: Database, libraryId: number): string {
  const root = storedRoot(db, libraryId);
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
      onProgress: (p) => ctx.progress({ phase: p.phase === 'walking' ? 'find-photos' : 'read-photos', done: p.done, total: p.total, message: p.path }),
    });
    deps.events.emit('libraryChanged', { libraryId, parts: ['library', 'photos'] });
    return summary;
  } catch (err) {
    if (err instanceof ScanRootError || err instanceof ScanBusyError) throw new ApiError('conflict', err.message);
    throw err;
  }
}

/** What each job kind's stored arguments must be; a job resumed after an upgrade is checked against them. */
const clusterJobArgs: z.ZodType<ClusterJobArgs> = argSchemas.startClustering
  .required()
  // null = the mode's default number of epochs (the settings' choice).
  .extend({ epochs: z.number().int().min(1).max(1000).nullable() });
const exportJobArgs: z.ZodType<LibraryExportArgs> = argSchemas.startExport;

export function createJobHandlers(deps: HandlerDeps) {
  const scan: JobHandler<ScanJobArgs, ScanJobResult> = {
    lane: 'main',
    args: argSchemas.scanLibrary,
    run: (ctx) => rescanLibrary(deps, ctx, ctx.args),
  };
  const cluster: JobHandler<ClusterJobArgs, ClusterJobResult> = {
    lane: 'main',
    args: clusterJobArgs,
    run: (ctx) => scanAndGroupLibrary(deps, ctx, ctx.args),
  };
  const exportJob: JobHandler<LibraryExportArgs, ExportResult> = {
    lane: 'export',
    args: exportJobArgs,
    run: (ctx) => runLibraryExport(deps.db, ctx),
  };
  // In the main lane: it needs the ML worker, which runs one task at a time. It never downloads the naming model: an edit
  // is no reason to fetch anything. Only the newest naming job is kept: one per edit would crowd the job list.
  const names: JobHandler<{ libraryId: number }, { named: number }> = {
    lane: 'main',
    args: argSchemas.scanLibrary,
    run: async (ctx) => {
      forgetFinishedJobs(deps.db, ctx.args.libraryId, 'names', ctx.jobId);
      return { named: await suggestGroupNames(deps, ctx.args.libraryId, ctx, false) };
    },
  };
  return { scan, cluster, export: exportJob, names } satisfies Record<JobKind, JobHandler<unknown, unknown>>;
}

/** The service's jobs: one handler per JobKind, each typed by its arguments and result. */
export type ServiceJobHandlers = ReturnType<typeof createJobHandlers>;

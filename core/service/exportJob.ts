/** Export of a library's groups: the database side (which files, which names) around the export engine. */
import os from 'node:os';
import path from 'node:path';
import type { Database } from '../store/db.js';
import { getCluster, groupFiles } from '../store/groups.js';
import { getLibrary } from '../store/libraries.js';
import { markPhotosMovedOut } from '../store/photos.js';
import { absolutePathBytes, isLosslessUtf8 } from '../library/index.js';
import { ApiError, type ExportMode, type ExportPreview } from '../api.js';
import { planExport, readManifest, runExport, ExportBlockedError, type ExportInput, type ExportPlan, type ExportResult } from './export/index.js';
import type { JobContext } from './jobManager.js';

export interface LibraryExportArgs {
  libraryId: number;
  clusterIds: number[];
  destination: string;
  mode: ExportMode;
}

/** The engine's input for the chosen groups, in the order the user chose them. */
export function exportInput(db: Database, args: LibraryExportArgs): ExportInput {
  const lib = getLibrary(db, args.libraryId);
  if (!lib) throw new ApiError('not_found', `no library ${args.libraryId}`);
  const destination = path.resolve(args.destination.startsWith('~') ? path.join(os.homedir(), args.destination.slice(1)) : args.destination);
  const groups = [...new Set(args.clusterIds)].map((id) => {
    const c = getCluster(db, id);
    if (!c || c.library_id !== args.libraryId) throw new ApiError('not_found', `no group ${id} in this library`);
    const rows = groupFiles(db, id);
    return {
      name: c.name,
      files: rows.map((r) => ({
        photoId: r.id,
        sourcePath: path.join(lib.root, ...r.display_path.split('/')),
        // The text path (U+FFFD for invalid bytes) would not open such a name; only those get the bytes, so the
        // input of every other export, and so its id for resuming, stays as it was.
        ...(isLosslessUtf8(r.rel_path) ? {} : { sourceFsPath: absolutePathBytes(lib.root, r.rel_path) }),
        size: r.size,
        mtimeMs: r.mtime_ms,
        ...(r.content_hash ? { sha256: r.content_hash } : {}),
      })),
    };
  });
  return { destination, mode: args.mode, libraryRoot: lib.root, groups };
}

export async function planLibraryExport(db: Database, args: LibraryExportArgs): Promise<{ plan: ExportPlan; preview: ExportPreview }> {
  const input = exportInput(db, args);
  let plan: ExportPlan;
  try {
    plan = await planExport(input);
  } catch (err) {
    throw new ApiError('bad_request', `cannot export to ${input.destination}: ${(err as Error).message}`);
  }
  const clusterIds = [...new Set(args.clusterIds)];
  const preview: ExportPreview = {
    destination: plan.destination,
    mode: plan.mode,
    groups: plan.groups.map((g, i) => ({ clusterId: clusterIds[i]!, name: g.name, folder: g.folder, files: g.files, bytes: g.bytes })),
    files: plan.totals.exportable,
    alreadyThere: plan.totals.alreadyThere,
    bytes: plan.totals.bytes,
    bytesNeeded: plan.totals.bytesNeeded,
    freeBytes: plan.totals.freeBytes,
    fits: plan.totals.fits && !plan.problems.some((p) => p.severity === 'blocking'),
    problems: plan.problems.map((p) => ({ path: p.path, reason: p.reason })),
  };
  return { plan, preview };
}

export async function runLibraryExport(db: Database, ctx: JobContext<LibraryExportArgs>): Promise<ExportResult> {
  // Planning the same input again finds an interrupted export of it, so a resumed job continues without duplicates.
  const { plan } = await planLibraryExport(db, ctx.args);
  try {
    const result = await runExport(plan, {
      signal: ctx.signal,
      onProgress: (p) => ctx.progress({ phase: 'export', done: p.filesDone, total: p.filesTotal, message: p.current ? path.basename(p.current) : null }),
    });
    if (plan.mode === 'move') await recordMovedOut(db, result);
    return result;
  } catch (err) {
    if (err instanceof ExportBlockedError) throw new ApiError('conflict', err.message);
    throw err;
  }
}

/**
 * Photos the user moved out of the library by a "move" export are no longer in it: record where they went. Photos
 * the move copied instead (outside the library folder) or found already there are still where they were.
 */
async function recordMovedOut(db: Database, result: ExportResult): Promise<void> {
  const manifest = await readManifest(result.manifest);
  const moved = manifest.entries.flatMap((e) =>
    e.status === 'exported' && e.mode === 'move' && e.exportedPath ? [{ id: e.photoId, reason: `moved to ${e.exportedPath} by an export` }] : [],
  );
  markPhotosMovedOut(db, moved);
}

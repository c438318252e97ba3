import crypto from 'node:crypto';
import type fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { describeError, errnoOf, parentDir, type FsPath } from './fileOps.js';
import { isTerminal, lastRecordPerFile, readJournal, statePaths } from './journal.js';
import { EarlierExports } from './earlier.js';
import { NameAllocator, sanitizeName } from './names.js';
import { mapLimit } from './copyPool.js';
import { isWithin } from '../../safePath.js';
import {
  exportInputSchema,
  type ExportInput,
  type ExportMode,
  type ExportPlan,
  type ExportProblem,
  type ExportSourceFile,
  type PlannedFile,
  type PlannedGroup,
  type ProblemCode,
} from './types.js';

const STAT_CONCURRENCY = 16;

/**
 * A dry run: where every file would go, what it costs, and everything that would go wrong, without writing
 * anything. Planning the same input against the same destination state gives the same plan. When an export of
 * the same input was interrupted, the plan returned is that export's (so running it resumes, with no duplicates).
 */
export async function planExport(rawInput: ExportInput): Promise<ExportPlan> {
  const input = exportInputSchema.parse(rawInput);
  const destination = path.normalize(input.destination).replace(/(?<=.)[/\\]+$/u, '');
  // The library root is left out of the key: the photos already say which library, and an export interrupted before
  // the root was part of the input must still be found and resumed.
  const { libraryRoot: _root, ...keyed } = input;
  const inputKey = crypto
    .createHash('sha256')
    .update(JSON.stringify({ ...keyed, destination }))
    .digest('hex')
    .slice(0, 16);

  for (let n = 1; ; n++) {
    const exportId = n === 1 ? inputKey : `${inputKey}-${n}`;
    const stored = await loadStoredPlan(destination, exportId);
    if (!stored) return buildPlan({ ...input, destination }, inputKey, exportId);
    if (!stored.complete) return refreshStoredPlan(stored.plan, stored.finished);
  }
}

async function loadStoredPlan(
  destination: string,
  exportId: string,
): Promise<{ plan: ExportPlan; complete: boolean; finished: Set<number> } | null> {
  const paths = statePaths(destination, exportId);
  let plan: ExportPlan;
  try {
    plan = JSON.parse(await fsp.readFile(paths.plan, 'utf8')) as ExportPlan;
  } catch (err) {
    if (errnoOf(err) === 'ENOENT' || errnoOf(err) === 'ENOTDIR') return null;
    throw err;
  }
  const records = await readJournal(paths.journal);
  const finished = new Set([...lastRecordPerFile(records).values()].filter(isTerminal).map((r) => r.i));
  return { plan, complete: records.some((r) => r.t === 'complete'), finished };
}

/** The stored plan with today's free space, counting only what is left to do. */
async function refreshStoredPlan(plan: ExportPlan, finished: Set<number>): Promise<ExportPlan> {
  const space = await checkSpace(plan.destination, plan.mode, plan.files.filter((f) => !finished.has(f.index)));
  const problems = plan.problems.filter((p) => p.code !== 'insufficient-space');
  if (!space.fits) problems.unshift(space.problem);
  return {
    ...plan,
    totals: { ...plan.totals, bytesNeeded: space.bytesNeeded, freeBytes: space.freeBytes, fits: space.fits },
    problems,
    resume: { filesDone: finished.size },
  };
}

async function nearestExisting(p: string): Promise<{ path: string; stat: fs.Stats }> {
  for (let dir = p; ; dir = path.dirname(dir)) {
    try {
      return { path: dir, stat: await fsp.stat(dir) };
    } catch (err) {
      if (!['ENOENT', 'ENOTDIR'].includes(errnoOf(err) ?? '') || dir === path.dirname(dir)) throw err;
    }
  }
}

async function readEntries(dir: string): Promise<fs.Dirent[]> {
  try {
    return await fsp.readdir(dir, { withFileTypes: true });
  } catch (err) {
    if (errnoOf(err) === 'ENOENT' || errnoOf(err) === 'ENOTDIR') return [];
    throw err;
  }
}

function roundUpToBlock(size: number, block: number): number {
  return Math.ceil(size / block) * block;
}

/** Space the remaining files to export take: data copies only; links and same-filesystem moves take none. */
export async function checkSpace(
  destination: string,
  mode: ExportMode,
  files: Array<Pick<PlannedFile, 'size' | 'sameDevice' | 'problem' | 'copyInstead' | 'alreadyThere'>>,
): Promise<{ bytesNeeded: number; freeBytes: number; fits: boolean; problem: ExportProblem }> {
  const anchor = await nearestExisting(destination);
  const fsInfo = await fsp.statfs(anchor.path);
  const block = fsInfo.bsize || 4096;
  let bytesNeeded = 0;
  for (const f of files) {
    if (f.problem || f.alreadyThere) continue;
    if (mode === 'copy' || f.copyInstead || (mode === 'move' && !f.sameDevice)) bytesNeeded += roundUpToBlock(f.size, block);
  }
  const freeBytes = fsInfo.bavail * fsInfo.bsize;
  const fits = bytesNeeded <= freeBytes;
  const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
  return {
    bytesNeeded,
    freeBytes,
    fits,
    problem: {
      code: 'insufficient-space',
      severity: 'blocking',
      path: destination,
      reason: `the export needs ${mb(bytesNeeded)} but the destination's disk has ${mb(freeBytes)} free`,
    },
  };
}

/** The path fs calls open the original by: the raw bytes the input gave, else the text. */
export function sourceFsPath(f: Pick<PlannedFile, 'sourcePath' | 'sourcePathBytes'>): FsPath {
  return f.sourcePathBytes === undefined ? f.sourcePath : Buffer.from(f.sourcePathBytes, 'hex');
}

/** The input's fs path in the JSON-safe form a plan stores, kept only when `sourcePath` would not open the file. */
function plannedPathBytes(file: ExportSourceFile): string | undefined {
  if (file.sourceFsPath === undefined) return undefined;
  const bytes = Buffer.from(file.sourceFsPath);
  return bytes.equals(Buffer.from(file.sourcePath)) ? undefined : bytes.toString('hex');
}

/** Why a move copied a photo: deleting it would delete a file outside the folder the user made a library of. */
export const OUTSIDE_LIBRARY = 'outside the library folder; copied, not moved';

interface Inspection {
  stat: fs.Stats | null;
  problem?: { code: ProblemCode; reason: string };
  /** A move must copy it: after following every link it lies outside the library folder. */
  outside?: boolean;
}

/** The library folder with its links resolved (as given, should it be gone: then nothing inside it can be moved). */
export async function realLibraryRoot(libraryRoot: string | undefined): Promise<string | undefined> {
  return libraryRoot === undefined ? undefined : fsp.realpath(libraryRoot).catch(() => libraryRoot);
}

/** Whether the file, once every link on its way is followed (folder links too), lies outside `realRoot`. */
export async function outsideLibrary(source: FsPath, realRoot: string): Promise<boolean> {
  const real = await fsp.realpath(source, { encoding: 'buffer' });
  return !isWithin(realRoot, real.toString('utf8'));
}

async function inspectSource(source: FsPath, mode: ExportMode, destinationDevice: number, realRoot: string | undefined): Promise<Inspection> {
  let stat: fs.Stats;
  try {
    if (mode === 'move' && realRoot !== undefined && (await outsideLibrary(source, realRoot))) {
      const inspection = await inspectSource(source, 'copy', destinationDevice, undefined);
      return { ...inspection, outside: true };
    }
    stat = await fsp.lstat(source);
    if (stat.isSymbolicLink()) {
      // Moving a symlink would move only the link and leave the photo where it is.
      if (mode === 'move') return { stat: null, problem: { code: 'source-is-symlink', reason: 'the source is a symbolic link; move would only move the link' } };
      stat = await fsp.stat(source);
    }
  } catch (err) {
    const missing = errnoOf(err) === 'ENOENT' || errnoOf(err) === 'ENOTDIR';
    return {
      stat: null,
      problem: missing
        ? { code: 'source-missing', reason: 'the source file no longer exists' }
        : { code: 'source-unreadable', reason: `the source cannot be read: ${describeError(err)}` },
    };
  }
  if (!stat.isFile()) return { stat, problem: { code: 'source-not-file', reason: 'the source is not a regular file' } };
  try {
    await fsp.access(source, fsp.constants.R_OK);
  } catch (err) {
    return { stat, problem: { code: 'source-unreadable', reason: `the source cannot be read: ${describeError(err)}` } };
  }
  if (mode === 'move') {
    try {
      await fsp.access(parentDir(source), fsp.constants.W_OK);
    } catch {
      return { stat, problem: { code: 'source-not-removable', reason: "the source's folder is read-only, so move could not remove the original" } };
    }
  }
  if (mode === 'hardlink' && stat.dev !== destinationDevice) {
    return {
      stat,
      problem: {
        code: 'cross-device',
        reason: 'hard links cannot cross filesystems (EXDEV): the source is on another disk than the destination; export with copy or symlink instead',
      },
    };
  }
  return { stat };
}

async function buildPlan(input: ExportInput, inputKey: string, exportId: string): Promise<ExportPlan> {
  const { destination, mode, libraryRoot } = input;
  const realRoot = await realLibraryRoot(libraryRoot);
  const problems: ExportProblem[] = [];
  const block = (code: ProblemCode, reason: string) => problems.push({ code, severity: 'blocking', path: destination, reason });

  const anchor = await nearestExisting(destination);
  if (!anchor.stat.isDirectory()) {
    block('destination-not-directory', `${anchor.path} exists and is not a folder`);
  } else {
    try {
      await fsp.access(anchor.path, fsp.constants.W_OK);
    } catch {
      block('destination-not-writable', `${anchor.path} is not writable`);
    }
  }
  const realDestination = path.join(await fsp.realpath(anchor.path), path.relative(anchor.path, destination));
  const destinationIsDir = anchor.stat.isDirectory();

  const rootEntries = destinationIsDir && anchor.path === destination ? await readEntries(destination) : [];
  const folders = new NameAllocator(
    rootEntries.filter((e) => !e.isDirectory()).map((e) => e.name),
    rootEntries.filter((e) => e.isDirectory()).map((e) => e.name),
  );

  const flat = input.groups.flatMap((g, group) => g.files.map((file) => ({ file, group })));
  const inspections = await mapLimit(flat, STAT_CONCURRENCY, ({ file }) => inspectSource(file.sourceFsPath ?? file.sourcePath, mode, anchor.stat.dev, realRoot));
  const earlier =
    destinationIsDir && anchor.path === destination ? await EarlierExports.read(destination, [...new Set([libraryRoot, realRoot].filter((r) => r !== undefined))]) : EarlierExports.none;

  const groups: PlannedGroup[] = [];
  const allocators: NameAllocator[] = [];
  for (const g of input.groups) {
    const folder = folders.claim(sanitizeName(g.name, 'folder'), 'folder');
    const folderPath = path.join(destination, folder);
    const existing = destinationIsDir ? await readEntries(folderPath) : [];
    groups.push({ name: g.name, folder, path: folderPath, files: 0, bytes: 0 });
    allocators.push(new NameAllocator(existing.map((e) => e.name)));
  }

  const files: PlannedFile[] = [];
  const fileProblems: ExportProblem[] = [];
  const warnings: ExportProblem[] = [];
  const notes: ExportProblem[] = [];
  // A photo listed twice in one group (or, for move, anywhere) is exported once; identity by inode catches
  // two paths to the same file too.
  const seen = new Set<string>();
  const sourceDirs = new Set<string>();
  flat.forEach(({ file, group }, index) => {
    const { stat } = inspections[index]!;
    let problem = inspections[index]!.problem;
    if (stat && !problem) {
      const identity = `${mode === 'move' ? '' : group}:${stat.dev}:${stat.ino}`;
      if (seen.has(identity)) {
        problem = {
          code: 'duplicate-entry',
          reason: mode === 'move' ? 'the photo is already being moved to another folder of this export' : 'the photo is listed twice in this group',
        };
      }
      seen.add(identity);
    }
    const changed = !!stat && (stat.size !== file.size || stat.mtimeMs !== file.mtimeMs);
    if (changed && !problem) {
      const reason = 'the file changed since it was scanned';
      // A move must be verified against the hash the user's library knows; a changed file cannot be.
      if (mode === 'move' && !inspections[index]!.outside && file.sha256) problem = { code: 'source-changed', reason: `${reason}; re-scan before moving it` };
      else warnings.push({ code: 'source-changed', severity: 'warning', path: file.sourcePath, reason });
    }
    // The scan's hash describes the file as it was scanned, not as it is now.
    const sha256 = changed ? undefined : file.sha256;
    const folder = groups[group]!.folder;
    const there = !problem && sha256 ? earlier.inFolder(sha256, folder) : undefined;
    const fileNotes: string[] = [];
    if (inspections[index]!.outside && !problem && !there) fileNotes.push(OUTSIDE_LIBRARY);
    if (sha256 && !problem && !there) {
      for (const copy of earlier.elsewhere(file.photoId, sha256, folder)) {
        fileNotes.push(`its group changed since an earlier export, which put it in ${copy.folder}/${path.basename(copy.path)}; that copy stays`);
      }
    }
    for (const reason of fileNotes) notes.push({ code: reason === OUTSIDE_LIBRARY ? 'outside-library' : 'group-changed', severity: 'warning', path: file.sourcePath, reason });
    const desiredName = sanitizeName(path.basename(file.sourcePath), 'file');
    const targetName = problem || there ? null : allocators[group]!.claim(desiredName, 'file');
    const size = stat?.size ?? file.size;
    const planned: PlannedFile = {
      index,
      photoId: file.photoId,
      group,
      sourcePath: file.sourcePath,
      sourcePathBytes: plannedPathBytes(file),
      size,
      mtimeMs: stat?.mtimeMs ?? file.mtimeMs,
      sha256,
      desiredName,
      targetPath: targetName ? path.join(groups[group]!.path, targetName) : null,
      sameDevice: !!stat && stat.dev === anchor.stat.dev,
      problem,
      copyInstead: inspections[index]!.outside || undefined,
      alreadyThere: there?.path,
      notes: fileNotes.length ? fileNotes : undefined,
    };
    files.push(planned);
    if (problem) {
      fileProblems.push({ ...problem, severity: 'skip', path: file.sourcePath });
    } else if (!there) {
      groups[group]!.files++;
      groups[group]!.bytes += size;
      sourceDirs.add(path.dirname(file.sourcePath));
    }
  });

  for (const dir of [...sourceDirs].sort()) {
    if (isWithin(dir, destination) || isWithin(dir, realDestination)) {
      warnings.push({
        code: 'destination-inside-source',
        severity: 'warning',
        path: dir,
        reason: `the destination is inside the photo folder ${dir}; a later scan of that folder will see the exported files as new photos`,
      });
    } else if (isWithin(destination, dir) || isWithin(realDestination, dir)) {
      warnings.push({
        code: 'source-inside-destination',
        severity: 'warning',
        path: dir,
        reason: `photos in ${dir} are already inside the destination; they will be exported next to themselves`,
      });
    }
  }

  const space = await checkSpace(destination, mode, files);
  if (!space.fits) problems.push(space.problem);
  const exportable = files.filter((f) => !f.problem && !f.alreadyThere);
  return {
    format: 1,
    exportId,
    inputKey,
    destination,
    mode,
    libraryRoot,
    groups,
    files,
    totals: {
      groups: groups.length,
      files: files.length,
      exportable: exportable.length,
      alreadyThere: files.filter((f) => f.alreadyThere).length,
      bytes: exportable.reduce((sum, f) => sum + f.size, 0),
      bytesNeeded: space.bytesNeeded,
      freeBytes: space.freeBytes,
      fits: space.fits,
    },
    problems: [...problems, ...fileProblems, ...warnings, ...notes],
  };
}

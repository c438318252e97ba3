import path from 'node:path';
import { z } from 'zod';

const absolutePath = z
  .string()
  .min(1)
  .refine((p) => path.isAbsolute(p), 'must be an absolute path')
  .refine((p) => !p.includes('\0'), 'must not contain NUL');

// Separators are ASCII, so the bytes are absolute exactly when their U+FFFD-decoded text is.
const absolutePathBytes = z
  .instanceof(Buffer)
  .refine((b) => path.isAbsolute(b.toString('utf8')), 'must be an absolute path')
  .refine((b) => !b.includes(0), 'must not contain NUL');

export const exportModes = ['copy', 'hardlink', 'symlink', 'move'] as const;
export type ExportMode = (typeof exportModes)[number];

export const exportInputSchema = z.object({
  destination: absolutePath,
  mode: z.enum(exportModes),
  /**
   * The library's folder (its real path). With it, move deletes nothing outside it — photos reached through links
   * that lead elsewhere are copied instead — and an earlier export of this library at the destination is recognised
   * by its manifest, so photos already there are not exported twice.
   */
  libraryRoot: absolutePath.optional(),
  groups: z.array(
    z.object({
      name: z.string(),
      files: z.array(
        z.object({
          photoId: z.number().int(),
          /** How the original's path reads: folder and file names, problems, progress and manifests use it. */
          sourcePath: absolutePath,
          /**
           * The path that opens the original when `sourcePath` does not: its raw bytes when its name is not valid
           * UTF-8 (`sourcePath` then shows those bytes as U+FFFD). Absent: `sourcePath` opens it.
           */
          sourceFsPath: z.union([absolutePath, absolutePathBytes]).optional(),
          size: z.number().int().nonnegative(),
          mtimeMs: z.number(),
          sha256: z
            .string()
            .regex(/^[0-9a-f]{64}$/)
            .optional(),
        }),
      ),
    }),
  ),
});

export type ExportInput = z.infer<typeof exportInputSchema>;
export type ExportSourceFile = ExportInput['groups'][number]['files'][number];

/**
 * `blocking`: the export cannot start (destination unusable, not enough space).
 * `skip`: this one file will not be exported (the rest goes on).
 * `warning`: worth showing the user; nothing is skipped.
 */
export type ProblemSeverity = 'blocking' | 'skip' | 'warning';

export type ProblemCode =
  | 'destination-not-directory'
  | 'destination-not-writable'
  | 'insufficient-space'
  | 'destination-inside-source'
  | 'source-inside-destination'
  | 'source-missing'
  | 'source-unreadable'
  | 'source-not-file'
  | 'source-is-symlink'
  | 'source-not-removable'
  | 'source-changed'
  | 'cross-device'
  | 'duplicate-entry'
  | 'outside-library'
  | 'group-changed';

export interface ExportProblem {
  code: ProblemCode;
  severity: ProblemSeverity;
  /** The source file or folder concerned, or the destination. */
  path: string;
  reason: string;
}

export interface PlannedGroup {
  name: string;
  /** Sanitised, collision-free folder name inside the destination. */
  folder: string;
  path: string;
  files: number;
  bytes: number;
}

export interface PlannedFile {
  /** Position in `plan.files`; the journal refers to files by it. */
  index: number;
  photoId: number;
  group: number;
  sourcePath: string;
  /** Hex of the input's `sourceFsPath` when it differs from `sourcePath` (the plan is stored as JSON); see `sourceFsPath()`. */
  sourcePathBytes?: string | undefined;
  /** Size and mtime as found on disk while planning (the input's when the source is missing). */
  size: number;
  mtimeMs: number;
  sha256?: string | undefined;
  /** The sanitised name before any collision numbering; runtime collisions number from it. */
  desiredName: string;
  /** Where the file is planned to go (null when skipped); a name taken meanwhile gets the next free number. */
  targetPath: string | null;
  /** The source and its target folder are on one filesystem (move can then link instead of copying). */
  sameDevice: boolean;
  /** Set when the file will be skipped. */
  problem?: { code: ProblemCode; reason: string } | undefined;
  /** A move that copies this file instead: it lies outside the library folder (after following links). */
  copyInstead?: boolean | undefined;
  /** An earlier export of this library left this photo, same content, in its group's folder: this path. Not exported again. */
  alreadyThere?: string | undefined;
  /** What the user should know about this file's export (copied instead of moved, its group changed). */
  notes?: string[] | undefined;
}

export interface ExportPlan {
  format: 1;
  exportId: string;
  /** Hash of the input; re-planning the same input finds an unfinished export of it. */
  inputKey: string;
  destination: string;
  mode: ExportMode;
  /** The input's library folder, real path (see ExportInput). */
  libraryRoot?: string | undefined;
  groups: PlannedGroup[];
  files: PlannedFile[];
  totals: {
    groups: number;
    files: number;
    /** Files without a skip problem that are not already there. */
    exportable: number;
    /** Files an earlier export of this library already put in their group's folder. */
    alreadyThere: number;
    /** Bytes of the exportable files. */
    bytes: number;
    /** Space the export takes on the destination's filesystem (0 for links and same-filesystem moves). */
    bytesNeeded: number;
    freeBytes: number;
    fits: boolean;
  };
  problems: ExportProblem[];
  /** Present when this plan continues an export that was interrupted: how many files it had finished. */
  resume?: { filesDone: number } | undefined;
}

export interface ExportProgress {
  exportId: string;
  phase: 'exporting' | 'manifest' | 'done';
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
  exported: number;
  alreadyThere: number;
  skipped: number;
  failed: number;
  /** Source path of the file being exported, if any. */
  current: string | null;
}

export interface ExportError {
  path: string;
  reason: string;
  status: 'skipped' | 'failed';
}

/** Something about an exported (or already there) photo worth telling: copied instead of moved, group changed. */
export interface ExportNote {
  path: string;
  reason: string;
}

export interface ExportResult {
  exportId: string;
  exported: number;
  /** Photos an earlier export of this library had already put where this one would (not exported again). */
  alreadyThere: number;
  skipped: number;
  failed: number;
  /** Bytes of the exported files. */
  bytes: number;
  /** Path of the JSON manifest; the CSV one is `manifestCsv`. */
  manifest: string;
  manifestCsv: string;
  errors: ExportError[];
  notes: ExportNote[];
}

export interface ManifestEntry {
  photoId: number;
  group: string;
  /** `already-there`: an earlier export of this library holds it, at `exportedPath`. */
  status: 'exported' | 'already-there' | 'skipped' | 'failed';
  originalPath: string;
  /** Only for an original whose name is not valid UTF-8 (`originalPath` shows it with U+FFFD): its path bytes in hex. */
  originalPathBytes?: string | undefined;
  exportedPath: string | null;
  sha256: string | null;
  size: number;
  /** How this file was exported: `copy` for a photo a move copied instead (see `reason`). */
  mode: ExportMode;
  /** Why it was skipped or failed; for an exported file, what is worth knowing about it. */
  reason?: string | undefined;
}

export interface Manifest {
  format: 1;
  exportId: string;
  destination: string;
  /** Which library's photos these are; absent in manifests written before it was recorded. */
  library?: { root: string } | undefined;
  mode: ExportMode;
  startedAt: string;
  completedAt: string;
  entries: ManifestEntry[];
}

/** The plan has blocking problems; nothing was written. */
export class ExportBlockedError extends Error {
  constructor(readonly problems: ExportProblem[]) {
    super(`export cannot start: ${problems.map((p) => p.reason).join('; ')}`);
    this.name = 'ExportBlockedError';
  }
}

/** Another process is running this export right now. */
export class ExportBusyError extends Error {
  constructor(readonly exportId: string, readonly pid: number | null) {
    super(`export ${exportId} is already running ${pid === null ? 'in another process' : `in process ${pid}`}`);
    this.name = 'ExportBusyError';
  }
}

/** The export stopped for a reason that would fail every remaining file (disk full, read-only); it is resumable. */
export class ExportInterruptedError extends Error {
  constructor(readonly exportId: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ExportInterruptedError';
  }
}

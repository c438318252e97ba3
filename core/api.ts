/**
 * The one contract between PhotoCluster's core and every front end (Electron IPC, browser-mode WebSocket, CLI).
 *
 * Each method is declared once in `argSchemas` (runtime validation of untrusted arguments) and once in `Results`
 * (what it resolves to). `METHOD_NAMES` is derived from `argSchemas` and drives every transport's registration, so a
 * method cannot exist on one transport and be missing on another.
 *
 * No method takes a path that the core would *read* on the renderer's behalf: photos and thumbnails are named by id.
 * The only paths accepted are ones the user typed or picked (a library root, an export destination, a folder to
 * browse inside the allowed root).
 */
import { z } from 'zod';

// ---------------------------------------------------------------------------------------------------------------
// Shared argument pieces

const id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
/** An absolute or home-relative path the user typed or picked. NUL bytes are never valid in a path. */
const userPath = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => !p.includes('\0'), 'path contains a NUL byte');
const clusterName = z
  .string()
  .trim()
  .min(1, 'name is empty')
  .max(200, 'name is longer than 200 characters')
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'name contains control characters');
const photoIds = z.array(id).min(1).max(200_000);
const kChoice = z.union([z.literal('auto'), z.number().int().min(2).max(500)]);
const modeChoice = z.enum(['finetune', 'scratch']);
const backendChoice = z.enum(['auto', 'tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu']);
const exportMode = z.enum(['copy', 'hardlink', 'symlink', 'move']);
const page = { offset: z.number().int().min(0).max(10_000_000).default(0), limit: z.number().int().min(1).max(50_000).default(500) };
const noArgs = z.object({}).strict();

export const argSchemas = {
  // capabilities and settings
  getCapabilities: noArgs,
  getSettings: noArgs,
  updateSettings: z
    .object({
      k: kChoice.optional(),
      mode: modeChoice.optional(),
      backbone: z.string().min(1).max(100).optional(),
      backend: backendChoice.optional(),
      epochs: z.number().int().min(1).max(1000).nullable().optional(),
    })
    .strict(),

  // libraries and folders
  listLibraries: noArgs,
  addLibrary: z.object({ root: userPath }).strict(),
  removeLibrary: z.object({ libraryId: id }).strict(),
  getLibrary: z.object({ libraryId: id }).strict(),
  listScanErrors: z.object({ libraryId: id, ...page }).strict(),
  browseFolders: z.object({ path: userPath.optional() }).strict(),
  showFolderDialog: z.object({ title: z.string().max(200).optional() }).strict(),

  // jobs
  scanLibrary: z.object({ libraryId: id }).strict(),
  startClustering: z
    .object({
      libraryId: id,
      k: kChoice.optional(),
      mode: modeChoice.optional(),
      backbone: z.string().min(1).max(100).optional(),
      backend: backendChoice.optional(),
      epochs: z.number().int().min(1).max(1000).optional(),
      seed: z.number().int().min(0).max(2 ** 31 - 1).optional(),
    })
    .strict(),
  listJobs: z.object({ libraryId: id.optional(), limit: z.number().int().min(1).max(1000).default(50) }).strict(),
  getJob: z.object({ jobId: id }).strict(),
  cancelJob: z.object({ jobId: id }).strict(),
  resumeJob: z.object({ jobId: id }).strict(),

  // runs, clusters, photos
  listRuns: z.object({ libraryId: id }).strict(),
  listClusters: z.object({ libraryId: id, includeHidden: z.boolean().default(true) }).strict(),
  listPhotos: z
    .object({
      libraryId: id,
      /** A cluster id, or null for photos without a cluster; omitted = every photo of the library. */
      clusterId: id.nullable().optional(),
      filter: z.enum(['all', 'unsure', 'new', 'failed']).default('all'),
      sort: z.enum(['confidence', 'name', 'date']).default('confidence'),
      order: z.enum(['asc', 'desc']).default('desc'),
      ...page,
    })
    .strict(),
  getPhoto: z.object({ photoId: id }).strict(),
  getEmbeddings: z.object({ libraryId: id }).strict(),
  listNearDuplicates: z.object({ libraryId: id, maxDistance: z.number().int().min(0).max(32).default(10) }).strict(),

  // edits (each is one transaction and one undo entry)
  renameCluster: z.object({ clusterId: id, name: clusterName }).strict(),
  movePhotos: z
    .object({
      photoIds,
      to: z.union([z.object({ clusterId: id }).strict(), z.object({ newCluster: clusterName.optional() }).strict()]),
    })
    .strict(),
  mergeClusters: z.object({ clusterIds: z.array(id).min(2).max(500), name: clusterName.optional() }).strict(),
  splitCluster: z.object({ clusterId: id, n: z.number().int().min(2).max(50) }).strict(),
  setClusterHidden: z.object({ clusterId: id, hidden: z.boolean() }).strict(),
  rejectPhotos: z.object({ clusterId: id, photoIds }).strict(),
  acceptPhotos: z.object({ photoIds }).strict(),
  undo: z.object({ libraryId: id }).strict(),
  redo: z.object({ libraryId: id }).strict(),
  listHistory: z.object({ libraryId: id, limit: z.number().int().min(1).max(1000).default(200) }).strict(),

  // export
  previewExport: z
    .object({ libraryId: id, clusterIds: z.array(id).min(1).max(5000), destination: userPath, mode: exportMode.default('copy') })
    .strict(),
  startExport: z
    .object({ libraryId: id, clusterIds: z.array(id).min(1).max(5000), destination: userPath, mode: exportMode.default('copy') })
    .strict(),
  revealExport: z.object({ jobId: id }).strict(),
  openPhoto: z.object({ photoId: id }).strict(),
} as const;

export type MethodName = keyof typeof argSchemas;
/** The single list of method names every transport registers. */
export const METHOD_NAMES = Object.freeze(Object.keys(argSchemas) as MethodName[]);
/** Arguments as the caller writes them (defaults optional). */
export type ArgsIn<M extends MethodName> = z.input<(typeof argSchemas)[M]>;
/** Arguments after validation (defaults filled in). */
export type ArgsOf<M extends MethodName> = z.output<(typeof argSchemas)[M]>;

// ---------------------------------------------------------------------------------------------------------------
// Domain types returned by methods and carried by events

export type Mode = z.infer<typeof modeChoice>;
export type BackendChoice = z.infer<typeof backendChoice>;
export type ExportMode = z.infer<typeof exportMode>;
export type KChoice = z.infer<typeof kChoice>;

export interface Settings {
  k: KChoice;
  mode: Mode;
  backbone: string;
  backend: BackendChoice;
  /** null = the mode's default. */
  epochs: number | null;
}

export interface BackendInfo {
  name: Exclude<BackendChoice, 'auto'>;
  available: boolean;
  kind: 'gpu' | 'native' | 'wasm' | 'cpu';
  notes: string;
}

export interface BackboneInfo {
  id: string;
  description: string;
  inputSize: number;
  bytes: number;
  license: string;
  downloaded: boolean;
  isDefault: boolean;
  /** Whether this model suggests the groups' names (its ImageNet classifier), whichever backbone groups the photos. */
  namesGroups: boolean;
}

export interface Capabilities {
  platform: 'electron' | 'browser';
  version: string;
  backends: BackendInfo[];
  /** The backend the ML worker ran its last task on since PhotoCluster started; null before its first task. */
  activeBackend: string | null;
  backbones: BackboneInfo[];
  canRevealInFileManager: boolean;
  canShowFolderDialog: boolean;
}

export interface LibraryInfo {
  id: number;
  root: string;
  name: string;
  photoCount: number;
  failedCount: number;
  missingCount: number;
  duplicateCount: number;
  lastScanAt: string | null;
  currentRunId: number | null;
  clusterCount: number;
  /**
   * Photos moved or kept in Review by hand since the current groups were made: what "Group again" would learn from
   * that the groups do not show yet (0 before the first grouping).
   */
  placedByHandSinceGrouping: number;
}

export interface ScanErrorInfo {
  photoId: number | null;
  path: string;
  reason: string;
}

export interface FolderListing {
  path: string;
  parent: string | null;
  root: string;
  entries: Array<{ name: string; path: string }>;
}

/**
 * Folders with fewer photos than this are grouped by a network started from k-means, and "Group again" there learns
 * from the photos placed by hand (core/ml/finetune/guidedPartition.ts); larger ones start at random and do not.
 */
export const LEARNS_FROM_PLACEMENTS_BELOW = 5000;

/**
 * scan: Re-scan (scan, then place new photos); cluster: scan, then group again; export: copy groups into folders;
 * names: suggest names again for the groups an edit changed (queued by the service after the edit, not by the user).
 */
export type JobKind = 'scan' | 'cluster' | 'export' | 'names';
export type JobState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled' | 'interrupted';

/**
 * The steps a job reports, in pipeline order. Front ends put them in their own words (the renderer's three stages, the
 * CLI's bar label) and never read meaning out of `message`, which is detail for people (a path, "epoch 3 of 12").
 */
export const JOB_PHASES = [
  // reading the folder
  'find-photos',
  'read-photos',
  // learning what is in the photos
  'download-model',
  'features',
  'choose-k',
  'start-training',
  'train',
  // sorting the photos into groups
  'assign',
  'refill-groups',
  'check-groups',
  // suggesting a name for each group, once the groups are in place
  'name-groups',
  // copying groups into folders
  'export',
] as const;
export type JobPhase = (typeof JOB_PHASES)[number];

export function isJobPhase(value: unknown): value is JobPhase {
  return (JOB_PHASES as readonly unknown[]).includes(value);
}

export interface JobProgress {
  phase: JobPhase;
  done: number;
  total: number;
  etaSeconds: number | null;
  message: string | null;
}

export interface JobInfo {
  id: number;
  libraryId: number | null;
  kind: JobKind;
  state: JobState;
  progress: JobProgress | null;
  result: unknown;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface EpochStats {
  epoch: number;
  loss: number;
  pg: number;
  pl: number;
  pgAug: number;
  plAug: number;
  mi: number;
  confidentShare: number;
  graphPositives: number;
  imagesPerSecond: number;
}

/**
 * A grouping run. While a grouping job trains, listRuns lists its run first with `finishedAt: null` and `id: 0` (it
 * is recorded when the job finishes) and the epochs trained so far, so that the loss chart survives a reload.
 */
export interface RunInfo {
  id: number;
  libraryId: number;
  mode: Mode;
  backbone: string | null;
  backend: string;
  /** What did the work, in plain words ("Graphics card: … (WebGPU)" / "Processor (no usable graphics card: …)"); null for runs recorded before it was kept. */
  device: string | null;
  k: number;
  kSuggested: number | null;
  kReasoning: string | null;
  /** Fine-tune runs: which grouping was kept (the trained network's or plain k-means') and why, in one sentence. */
  partitionNote: string | null;
  /**
   * Fine-tune runs: how the groups were made — 'network' (a network was trained and its groups kept), 'kmeans-checked'
   * (a network was trained, and plain k-means groups kept over its), 'kmeans' (plain k-means groups of the pretrained
   * network's features, no network trained: folders under LEARNS_FROM_PLACEMENTS_BELOW photos), 'guided' (the user's
   * groups refined around the photos placed by hand); null for from-scratch runs and runs recorded before it was kept.
   */
  groupsFrom: 'network' | 'kmeans-checked' | 'kmeans' | 'guided' | null;
  /** Fine-tune runs: the photos the user had placed by hand that the run learned from, and in how many groups; null when none (or for runs recorded before this was kept). */
  learnedFrom: { photos: number; groups: number } | null;
  config: Record<string, unknown>;
  startedAt: string;
  finishedAt: string | null;
  seconds: number | null;
  lossHistory: EpochStats[];
  isCurrent: boolean;
}

export interface ClusterInfo {
  id: number;
  libraryId: number;
  name: string;
  size: number;
  meanConfidence: number | null;
  hidden: boolean;
  /** Up to four photos for the cover mosaic, the cover photo first. */
  coverPhotoIds: number[];
  userNamed: boolean;
  /** A name the photos suggest (most of the photos looked at agree on it); null once the user has named the group. */
  suggestedName: string | null;
}

export type AssignmentSource = 'model' | 'user';

export interface PhotoInfo {
  id: number;
  name: string;
  relPath: string;
  width: number | null;
  height: number | null;
  takenAt: string | null;
  clusterId: number | null;
  confidence: number | null;
  source: AssignmentSource | null;
  isNew: boolean;
  status: 'ok' | 'error' | 'missing';
}

export interface PhotoDetails extends PhotoInfo {
  size: number;
  modifiedAt: string;
  cameraMake: string | null;
  cameraModel: string | null;
  format: string | null;
  sha256: string | null;
  error: string | null;
  duplicateOf: number | null;
  /**
   * The other groups with photos, likeliest first: those whose centre (of their photos' vectors as the grouping
   * stored them) lies nearest this photo's, groups made by hand or by a split included. Not its own group, nor one the
   * user said it is not in, nor a hidden one. Empty when no grouping placed the photo. Review offers these first.
   */
  likelyGroups: number[];
}

export interface PhotoPage {
  total: number;
  items: PhotoInfo[];
}

export interface EmbeddingSet {
  photoIds: number[];
  clusterIds: Array<number | null>;
  dim: number;
  /** Little-endian float32 rows, base64 (compact over JSON transports). */
  data: string;
}

export interface NearDuplicateGroup {
  photoIds: number[];
  representativeId: number;
  maxDistance: number;
}

export interface EditInfo {
  id: number;
  libraryId: number;
  kind: 'rename' | 'move' | 'merge' | 'split' | 'hide' | 'reject' | 'accept';
  description: string;
  createdAt: string;
  undone: boolean;
}

export interface EditResult {
  edit: EditInfo | null;
  clusters: ClusterInfo[];
  /** Clusters created by the edit (new group, split parts), in creation order. */
  createdClusterIds: number[];
}

export interface History {
  entries: EditInfo[];
  canUndo: boolean;
  canRedo: boolean;
}

export interface ExportPreview {
  destination: string;
  mode: ExportMode;
  groups: Array<{ clusterId: number; name: string; folder: string; files: number; bytes: number }>;
  /** Photos to export (not counting those already there). */
  files: number;
  /** Photos an earlier export of this library already put in their group's folder there: not exported again. */
  alreadyThere: number;
  bytes: number;
  bytesNeeded: number;
  freeBytes: number | null;
  fits: boolean;
  problems: Array<{ path: string; reason: string }>;
}

/** What each method resolves to. */
export interface Results {
  getCapabilities: Capabilities;
  getSettings: Settings;
  updateSettings: Settings;
  listLibraries: LibraryInfo[];
  addLibrary: LibraryInfo;
  removeLibrary: { removed: boolean };
  getLibrary: LibraryInfo;
  listScanErrors: { total: number; items: ScanErrorInfo[] };
  browseFolders: FolderListing;
  showFolderDialog: { path: string | null };
  scanLibrary: JobInfo;
  startClustering: JobInfo;
  listJobs: JobInfo[];
  getJob: JobInfo;
  cancelJob: JobInfo;
  resumeJob: JobInfo;
  listRuns: RunInfo[];
  listClusters: ClusterInfo[];
  listPhotos: PhotoPage;
  getPhoto: PhotoDetails;
  getEmbeddings: EmbeddingSet;
  listNearDuplicates: NearDuplicateGroup[];
  renameCluster: EditResult;
  movePhotos: EditResult;
  mergeClusters: EditResult;
  splitCluster: EditResult;
  setClusterHidden: EditResult;
  rejectPhotos: EditResult;
  acceptPhotos: EditResult;
  undo: EditResult;
  redo: EditResult;
  listHistory: History;
  previewExport: ExportPreview;
  startExport: JobInfo;
  revealExport: { opened: boolean };
  openPhoto: { opened: boolean };
}

// Compile-time guarantee that every method has a result type and vice versa.
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const _everyMethodHasAResult: Exact<keyof Results, MethodName> = true;
void _everyMethodHasAResult;

/** The contract as an object: what the service implements and what every client exposes. */
export type Api = {
  [M in MethodName]: {} extends ArgsIn<M> ? (args?: ArgsIn<M>) => Promise<Results[M]> : (args: ArgsIn<M>) => Promise<Results[M]>;
};

// ---------------------------------------------------------------------------------------------------------------
// Events (core → front ends)

export interface Events {
  /** A job changed state or made progress (progress throttled to ≤ 10 per second per job). */
  job: JobInfo;
  /** One finished training epoch, for the live loss chart. */
  trainingEpoch: { jobId: number; libraryId: number; epochs: number; stats: EpochStats };
  /** Something the UI shows for a library changed and should be re-read. */
  libraryChanged: { libraryId: number; parts: Array<'library' | 'photos' | 'clusters' | 'history' | 'runs'> };
}
export type EventName = keyof Events;
export const EVENT_NAMES = Object.freeze(['job', 'trainingEpoch', 'libraryChanged'] as const satisfies readonly EventName[]);
const _everyEventListed: Exact<(typeof EVENT_NAMES)[number], EventName> = true;
void _everyEventListed;

export type Unsubscribe = () => void;
/** What a renderer holds: the contract plus event subscription. The Electron bridge and the WebSocket client both satisfy it. */
export interface ApiClient extends Api {
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): Unsubscribe;
}

// ---------------------------------------------------------------------------------------------------------------
// Errors and validation

export type ApiErrorCode = 'bad_request' | 'not_found' | 'conflict' | 'unsupported' | 'forbidden' | 'busy' | 'unavailable' | 'internal';

/** An error meant for the user: its message is shown as is; transports carry `code` and `message` only. */
export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(argSchemas, name);
}

/** Validates untrusted arguments for `method`; throws ApiError('bad_request') with a readable reason. */
export function validateArgs<M extends MethodName>(method: M, raw: unknown): ArgsOf<M> {
  const schema = argSchemas[method] as unknown as z.ZodType<ArgsOf<M>>;
  const parsed = schema.safeParse(raw ?? {});
  if (!parsed.success) throw new ApiError('bad_request', `${method}: ${z.prettifyError(parsed.error).replace(/\n/g, '; ')}`);
  return parsed.data;
}

/** Turns anything thrown into what a transport may send: never a stack trace or an internal path. */
export function toWireError(err: unknown): { code: ApiErrorCode; message: string } {
  if (err instanceof ApiError) return { code: err.code, message: err.message };
  return { code: 'internal', message: 'Internal error — see the PhotoCluster log for details.' };
}

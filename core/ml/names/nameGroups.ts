/**
 * Suggested names for a library's groups, in the ML worker: each group's surest photos go through the backbone's
 * ImageNet classifier (from the cached thumbnails, at the classifier's input size) and suggestName. The classifier
 * is a download like any backbone (only where the service allows one: not for scratch mode, which promises none); when
 * it cannot be had the task says so and names nothing — names are a nicety, never a reason for a grouping to fail.
 */
import type { BackendChoice } from '../../api.js';
import type { TaskContext } from '../../service/workerProtocol.js';
import { BackboneDownloadError, backboneDir, ensureBackbone, isBackboneInstalled } from '../backbones/download.js';
import { artefactsFor, checkCachedArtefacts, FeaturePixelSource } from '../data/cachedImages.js';
import { loadImageClassifier, type ImageClassifier } from './classifier.js';
import { imagenetLabels } from './labels.js';
import { distinctNames, nameCandidates, type ClassScores, type NameSuggestion } from './suggestName.js';

/** The backbone whose own classifier output names groups (a TF.js layers model, so it runs on every backend). */
export const NAMING_MODEL = 'mobilenet_v1_0.75_224';
const SIDE = 224;

export interface SuggestNamesTaskPayload {
  cacheDir: string;
  modelsDir: string;
  backend: BackendChoice;
  /** Whether the naming model may be downloaded; if not, groups are named only when it is already installed. */
  download: boolean;
  /** Each group with the content hashes of the photos to look at (its surest ones) and the name it shows now, if any. */
  groups: Array<{ id: number; hashes: string[]; shown?: string | null | undefined }>;
  /** Names the library's other groups already have (the user's): no suggestion repeats one. */
  taken?: string[];
}

export interface SuggestNamesTaskResult {
  backend: string;
  /** Why nothing was named when the classifier could not be had (offline, no mirror); null when it ran. */
  unavailable: string | null;
  /** One entry per group looked at; null where the photos do not agree on a word. */
  groups: Array<{ id: number; suggestion: NameSuggestion | null }>;
}

/** Each group's suggestion from its photos' classifier scores (photos that could not be read are left out), no two alike. */
export async function nameGroups(
  groups: SuggestNamesTaskPayload['groups'],
  classify: (hashes: string[]) => Promise<ClassScores[]>,
  labels: readonly string[],
  onGroup?: (done: number) => void,
  taken: readonly string[] = [],
): Promise<SuggestNamesTaskResult['groups']> {
  const candidates: NameSuggestion[][] = [];
  for (const g of groups) {
    candidates.push(g.hashes.length ? nameCandidates(await classify(g.hashes), labels) : []);
    onGroup?.(candidates.length);
  }
  const names = distinctNames(candidates, taken, groups.map((g) => g.shown));
  return groups.map((g, i) => ({ id: g.id, suggestion: names[i]! }));
}

export interface SuggestNamesDeps {
  /** The classifier's folder, downloaded if need be and allowed; null when it is not installed and may not be. */
  modelDir(modelsDir: string, download: boolean, signal: AbortSignal): Promise<string | null>;
  loadClassifier(dir: string): Promise<ImageClassifier>;
}

const realDeps: SuggestNamesDeps = {
  modelDir: async (modelsDir, download, signal) => {
    if (download) return ensureBackbone(NAMING_MODEL, { modelsDir, signal });
    return (await isBackboneInstalled(NAMING_MODEL, modelsDir)) ? backboneDir(modelsDir, NAMING_MODEL) : null;
  },
  loadClassifier: (dir) => loadImageClassifier(dir, SIDE),
};

/** The worker task (see core/ml/worker/tasks.ts); `backend` is the one the worker started. */
export async function suggestNamesTask(payload: SuggestNamesTaskPayload, ctx: TaskContext, backend: string, deps: SuggestNamesDeps = realDeps): Promise<SuggestNamesTaskResult> {
  const total = payload.groups.length;
  ctx.progress('name-groups', 0, total, null);
  let dir: string | null;
  try {
    dir = await deps.modelDir(payload.modelsDir, payload.download, ctx.signal);
  } catch (err) {
    if (ctx.signal.aborted || !(err instanceof BackboneDownloadError)) throw err;
    return { backend, unavailable: err.message, groups: [] };
  }
  if (!dir) return { backend, unavailable: `${NAMING_MODEL} is not downloaded`, groups: [] };
  const classifier = await deps.loadClassifier(dir);
  try {
    const classify = async (hashes: string[]): Promise<ClassScores[]> => {
      ctx.signal.throwIfAborted();
      const { usable } = checkCachedArtefacts(payload.cacheDir, hashes, artefactsFor('thumb320'));
      if (!usable.length) return [];
      const pixels = await new FeaturePixelSource(payload.cacheDir, usable, SIDE).read(usable.map((_, i) => i));
      return classifier.classify(pixels, usable.length, SIDE);
    };
    const groups = await nameGroups(payload.groups, classify, imagenetLabels(), (done) => ctx.progress('name-groups', done, total, null), payload.taken);
    return { backend, unavailable: null, groups };
  } finally {
    classifier.dispose();
  }
}

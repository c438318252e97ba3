/** The ML worker's tasks as the service sees them: payloads in, results out (structured-clone friendly). */
import type { BackendChoice, KChoice, Mode } from '../../api.js';
import type { InputSize } from '../scratch/dccmNet.js';
import type { FinetuneConfig } from '../finetune/finetune.js';
import type { CorrectionEvidence } from '../finetune/correctedDoubt.js';
import type { SuggestNamesTaskPayload, SuggestNamesTaskResult } from '../names/nameGroups.js';

/** Optional settings beyond the user's choices (benchmarks, power users). */
export interface ClusterTaskConfig {
  /** Scratch mode: network input side (default 32). */
  inputSize?: InputSize;
  /** Fine-tune mode: overrides of the recommended settings. */
  finetune?: Partial<FinetuneConfig>;
}

/**
 * The user's groups as they are, by content: `hashes[i]` is in group `slots[i]` (0..G-1, one slot per group), put
 * there by hand when `pinned[i]`. Each hash appears once; sent only when at least one photo was placed by hand.
 */
export interface ClusterGuide {
  hashes: string[];
  slots: number[];
  pinned: boolean[];
  /** How many of the last grouping's expected mistakes the user found since (correctedDoubt.ts); absent: unknown. */
  corrections?: CorrectionEvidence;
}

export interface ClusterTaskPayload {
  dbPath: string;
  cacheDir: string;
  modelsDir: string;
  /** Distinct content hashes of the photos to group; model inputs and thumbnails are cached under these. */
  hashes: string[];
  mode: Mode;
  k: KChoice;
  backbone: string;
  backend: BackendChoice;
  epochs: number | null;
  seed: number;
  /** Checkpoints live here; the trained model is kept here for photos added later. */
  runDir: string;
  /** Continue from the checkpoint in runDir if there is one. */
  resume: boolean;
  config?: ClusterTaskConfig;
  /** Fine-tune mode: the user's placements for the run to learn from; absent when there are none (scratch ignores it). */
  guide?: ClusterGuide;
}

/** A photo left out of a task, with the reason (e.g. its cached model input is gone). */
export interface SkippedPhoto {
  hash: string;
  reason: string;
}

export interface ClusterTaskResult {
  backend: string;
  /** The backend's device in plain words (BackendInfo.device). */
  device: string;
  k: number;
  kSuggested: number | null;
  kReasoning: string | null;
  config: Record<string, unknown>;
  /** Directory of the trained model (for `assign`). */
  modelDir: string;
  /** One row per hash: the model output index, its probability, the deep embedding and the whole softmax. */
  hashes: string[];
  cluster: Int32Array;
  confidence: Float32Array;
  embeddingDim: number;
  /** hashes.length × embeddingDim */
  embeddings: Float32Array;
  /** hashes.length × k */
  probs: Float32Array;
  /** Requested hashes that could not be used; every other hash is in `hashes`. */
  skipped: SkippedPhoto[];
}

export interface AssignTaskPayload {
  dbPath: string;
  cacheDir: string;
  modelsDir: string;
  modelDir: string;
  hashes: string[];
  backend: BackendChoice;
  /**
   * Photos already in groups: content hash and the model output their group stands for (-1 for a group the model
   * does not know, e.g. one the user made). New photos' confidence comes from their look-alikes among them.
   */
  reference?: { hashes: string[]; outputs: number[] };
}

export type AssignTaskResult = Omit<ClusterTaskResult, 'kSuggested' | 'kReasoning' | 'config' | 'modelDir'>;

/** The worker's tasks by name: what each takes and gives back. The registry and the service's client are typed by it. */
export interface MlTasks {
  cluster: { payload: ClusterTaskPayload; result: ClusterTaskResult };
  assign: { payload: AssignTaskPayload; result: AssignTaskResult };
  suggestNames: { payload: SuggestNamesTaskPayload; result: SuggestNamesTaskResult };
}

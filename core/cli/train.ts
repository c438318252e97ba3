import path from 'node:path';
import { UsageError, type Command } from '../cli.js';

const USAGE = `Usage: photocluster train <dir> --k auto|K [--mode scratch|finetune] [--backbone ID] [--epochs E] [--size 32|64|96]
                         [--backend B] [--seed S] [--checkpoint DIR] [--json]

Groups every image under <dir> (read-only) with DCCM and prints each image's cluster.
  --mode M         scratch (default): the paper's network trained from scratch on the images;
                   finetune: a DCCM head trained on a pretrained backbone's features (downloaded on first use into the
                   app data dir; PHOTOCLUSTER_MODELS_URL names another source, e.g. a local folder of models)
  --k auto|K       number of clusters, or auto to have it suggested (required)
  --backbone ID    finetune mode: the pretrained backbone (default: the registry's default)
  --epochs E       training epochs (default: the mode's recommended schedule)
  --size S         scratch mode: network input size 32, 64 or 96 (default 32)
  --backend B      auto | tensorflow-gpu | webgpu | tensorflow | wasm | cpu (default: PHOTOCLUSTER_BACKEND or auto)
  --seed S         seed for initialisation, shuffling and augmentation (default 0)
  --checkpoint DIR write checkpoints there each epoch and resume from it if one exists
  --json           print one JSON object instead of a table
When <dir> is class-per-folder, the folder names are used to score the result (ACC, NMI, ARI) and for nothing else.`;

function intOption(values: Record<string, unknown>, name: string, fallback?: number): number | undefined {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new UsageError(`--${name} must be an integer, got "${String(raw)}"`);
  return n;
}

export const command: Command = {
  name: 'train',
  usage: USAGE,
  options: {
    k: { type: 'string' },
    mode: { type: 'string' },
    backbone: { type: 'string' },
    epochs: { type: 'string' },
    size: { type: 'string' },
    backend: { type: 'string' },
    seed: { type: 'string' },
    checkpoint: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run({ values, positionals }) {
    const [dir, ...extra] = positionals;
    if (!dir || extra.length) throw new UsageError('expected exactly one folder');
    const k = values.k === 'auto' ? 'auto' : intOption(values, 'k');
    if (k === undefined || (k !== 'auto' && k < 2)) throw new UsageError('--k is required: auto, or a number of clusters of at least 2');
    const mode = (values.mode as string | undefined) ?? 'scratch';
    if (mode !== 'scratch' && mode !== 'finetune') throw new UsageError('--mode must be scratch or finetune');
    if (values.backbone !== undefined && mode !== 'finetune') throw new UsageError('--backbone only applies to --mode finetune');
    const size = intOption(values, 'size', 32)!;
    if (![32, 64, 96].includes(size)) throw new UsageError('--size must be 32, 64 or 96');
    const epochs = intOption(values, 'epochs');
    if (epochs !== undefined && epochs < 1) throw new UsageError('--epochs must be at least 1');
    const seed = intOption(values, 'seed', 0)!;
    const json = values.json === true;

    const { parseBackendPreference, initBackend } = await import('../ml/runtime/backend.js');
    let preference;
    try {
      preference = parseBackendPreference(values.backend as string | undefined);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const { runTraining } = await import('../ml/trainFolder.js');
    const backend = await initBackend(preference);
    const log = (line: string): void => void process.stderr.write(line + '\n');
    log(`device: ${backend.device}`);
    log(`backend: ${backend.name} (${backend.kind}, ${backend.threads} thread${backend.threads === 1 ? '' : 's'}; ${backend.notes.join('; ')})`);
    if (values.backbone !== undefined) {
      const { getBackbone } = await import('../ml/backbones/registry.js');
      try {
        getBackbone(String(values.backbone));
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
    }
    const { resolveDataPaths } = await import('../paths.js');
    const { NotEnoughMemoryError } = await import('../ml/scratch/memoryPlan.js');
    const result = await runTraining({
      dir: path.resolve(dir),
      k,
      mode,
      backbone: values.backbone as string | undefined,
      modelsDir: resolveDataPaths().modelsDir,
      inputSize: size as 32 | 64 | 96,
      epochs,
      seed,
      backend,
      checkpointDir: values.checkpoint ? path.resolve(String(values.checkpoint)) : undefined,
      log,
    }).catch((err: unknown) => {
      if (!(err instanceof NotEnoughMemoryError)) throw err;
      // The same words, with this command's option for a smaller size.
      const message = err.smallerSizes.length
        ? `There is not enough memory to train at ${err.inputSize} px on the processor; use --size ${err.smallerSizes.join(' or ')}.`
        : err.message;
      throw Object.assign(new Error(message), { details: err.details });
    });
    if (json) {
      const out = {
        backend: backend.name,
        device: backend.device,
        k: result.k,
        kSuggested: result.kSuggested,
        epochs: result.epochs,
        images: result.assignments.length,
        seconds: result.seconds,
        ...(result.metrics ? { metrics: result.metrics } : {}),
        assignments: result.assignments,
        errors: result.errors,
      };
      process.stdout.write(JSON.stringify(out) + '\n');
    } else {
      const lines = [`${result.assignments.length} images, ${result.k} clusters${result.kSuggested !== null ? ' (suggested)' : ''}, ${result.epochs > 0 ? `${result.epochs} epochs` : 'no training'} on ${backend.name} in ${result.seconds.toFixed(1)} s`];
      if (result.metrics) {
        const m = result.metrics;
        lines.push(`ACC ${m.acc.toFixed(4)}  NMI ${m.nmi.toFixed(4)} (geometric ${m.nmiGeometric.toFixed(4)})  ARI ${m.ari.toFixed(4)}`);
      }
      for (const a of result.assignments) lines.push(`${String(a.cluster).padStart(4)}  ${a.confidence.toFixed(3)}  ${a.path}`);
      for (const e of result.errors) lines.push(`skipped ${e.path}: ${e.reason}`);
      process.stdout.write(lines.join('\n') + '\n');
    }
    return 0;
  },
};

// The backbone registry: resources/models.json, validated once at load, typed for the rest of the code.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'sha256 must be 64 lowercase hex digits');
// A file name inside the backbone's folder: no separators or dot segments, so a registry entry cannot write elsewhere.
const fileName = z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, 'file name must be a plain name');

const BackboneFileSchema = z.object({
  name: fileName,
  url: z.url({ protocol: /^https?$/ }),
  bytes: z.number().int().positive(),
  sha256,
  role: z.enum(['graph', 'weights', 'labels', 'license']),
});

const TapSchema = z.object({ tap: z.string().min(1) });

export const BackboneSpecSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/, 'id must be lowercase letters, digits, "_", "." or "-"'),
  name: z.string().min(1),
  description: z.string().min(1),
  format: z.enum(['tfjs-layers', 'tflite']),
  /** The file the runtime opens (model.json or the .tflite). */
  entry: fileName,
  license: z.string().min(1),
  source: z.string().min(1),
  /** The size the network was trained at; feature extraction may run smaller (see bench/features.ts). */
  inputSize: z.number().int().min(32).max(1024),
  /** Pixel p (RGB, 0–255) enters the network as p * scale + offset. */
  preprocessing: z.object({ scale: z.number().positive(), offset: z.number(), note: z.string().optional() }),
  /** Deep feature: `tap` (a graph value name) averaged over height and width → `dim` floats. */
  embedding: TapSchema.extend({ pool: z.literal('mean'), dim: z.number().int().positive() }),
  /** Shallow feature for the mutual-information loss: `tap` average-pooled to a grid × grid × channels map. */
  shallow: TapSchema.extend({
    pool: z.literal('grid'),
    grid: z.number().int().min(1).max(16),
    channels: z.number().int().positive(),
    /** Input pixels per feature-map cell at the tap (for choosing input sizes the grid divides). */
    stride: z.number().int().positive(),
  }),
  files: z.array(BackboneFileSchema).min(1),
});

export const RegistrySchema = z
  .object({
    $comment: z.string().optional(),
    version: z.literal(1),
    default: z.string(),
    backbones: z.array(BackboneSpecSchema).min(1),
  })
  .superRefine((reg, ctx) => {
    const ids = new Set<string>();
    for (const b of reg.backbones) {
      if (ids.has(b.id)) ctx.addIssue({ code: 'custom', message: `duplicate backbone id "${b.id}"` });
      ids.add(b.id);
      const names = b.files.map((f) => f.name);
      if (new Set(names).size !== names.length) ctx.addIssue({ code: 'custom', message: `backbone "${b.id}" lists a file twice` });
      if (!names.includes(b.entry)) ctx.addIssue({ code: 'custom', message: `backbone "${b.id}": entry "${b.entry}" is not among its files` });
    }
    if (!ids.has(reg.default)) ctx.addIssue({ code: 'custom', message: `default backbone "${reg.default}" is not in the registry` });
  });

export type BackboneFile = z.infer<typeof BackboneFileSchema>;
export type BackboneSpec = z.infer<typeof BackboneSpecSchema>;
export type Registry = z.infer<typeof RegistrySchema>;

export class UnknownBackboneError extends Error {
  override name = 'UnknownBackboneError';
  constructor(
    readonly id: string,
    known: string[],
  ) {
    super(`unknown backbone "${id}" (known: ${known.join(', ')})`);
  }
}

/**
 * resources/models.json of this checkout: three levels up from this module when run from source (tsx), four from
 * the compiled copy in dist/.
 */
export function registryPath(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.resolve(here, '..', '..', '..', 'resources', 'models.json'), path.resolve(here, '..', '..', '..', '..', 'resources', 'models.json')];
  return candidates.find((c) => fs.existsSync(c)) ?? candidates[0]!;
}

/** Parses and validates a registry document; throws a readable error naming the bad field. */
export function parseRegistry(json: unknown): Registry {
  const result = RegistrySchema.safeParse(json);
  if (!result.success) throw new Error(`invalid backbone registry: ${z.prettifyError(result.error)}`);
  return result.data;
}

let cached: Registry | undefined;

export function loadRegistry(file = registryPath()): Registry {
  if (file === registryPath() && cached) return cached;
  const reg = parseRegistry(JSON.parse(fs.readFileSync(file, 'utf8')));
  if (file === registryPath()) cached = reg;
  return reg;
}

export function listBackbones(registry = loadRegistry()): BackboneSpec[] {
  return registry.backbones;
}

export function getBackbone(id: string, registry = loadRegistry()): BackboneSpec {
  const spec = registry.backbones.find((b) => b.id === id);
  if (!spec) throw new UnknownBackboneError(id, registry.backbones.map((b) => b.id));
  return spec;
}

export function defaultBackboneId(registry = loadRegistry()): string {
  return registry.default;
}

/** Bytes to download for a backbone (for "10.5 MB" in a download dialog). */
export function backboneBytes(spec: BackboneSpec): number {
  return spec.files.reduce((sum, f) => sum + f.bytes, 0);
}

/** The backbones a user can pick, with whether each is already on this machine. */
import type { BackboneInfo } from '../api.js';
import { backboneBytes, defaultBackboneId, listBackbones as registryBackbones } from '../ml/backbones/registry.js';
import { isBackboneInstalled } from '../ml/backbones/download.js';
import { NAMING_MODEL } from '../ml/names/nameGroups.js';

export async function listBackbones(modelsDir: string): Promise<BackboneInfo[]> {
  const fallback = defaultBackboneId();
  return Promise.all(
    registryBackbones().map(async (spec) => ({
      id: spec.id,
      description: `${spec.name} — ${spec.description}`,
      inputSize: spec.inputSize,
      bytes: backboneBytes(spec),
      license: spec.license,
      downloaded: await isBackboneInstalled(spec.id, modelsDir, spec),
      isDefault: spec.id === fallback,
      namesGroups: spec.id === NAMING_MODEL,
    })),
  );
}

export function knownBackbone(id: string): boolean {
  return registryBackbones().some((b) => b.id === id);
}

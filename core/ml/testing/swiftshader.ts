import fs from 'node:fs';
import os from 'node:os';

/** Debian chromium's SwiftShader Vulkan driver: a CPU implementation of Vulkan that Dawn accepts (Mesa's lavapipe it refuses). */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/**
 * Points Vulkan at SwiftShader when no driver was chosen, so the WebGPU code path runs on a machine without a GPU
 * (tests, CI). Must run before Dawn is first loaded: the Vulkan loader reads these variables once.
 */
export function useSwiftShaderUnlessSet(env: NodeJS.ProcessEnv = process.env): void {
  if (!env.VK_ICD_FILENAMES && fs.existsSync(SWIFTSHADER_ICD)) env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  // Dawn's Vulkan backend warns and may fail without a runtime directory (none exists in CI containers).
  env.XDG_RUNTIME_DIR ??= os.tmpdir();
}

import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { sharedDir } from '../../core/paths.js';

/**
 * For the tests of the calling file or describe: backbones are "downloaded" from the shared models folder (the ML
 * worker process inherits the variable), never from the network; the previous value comes back afterwards.
 */
export function useSharedModels(): void {
  const previous = process.env.PHOTOCLUSTER_MODELS_URL;
  beforeAll(() => {
    process.env.PHOTOCLUSTER_MODELS_URL = path.join(sharedDir(), 'models');
  });
  afterAll(() => {
    if (previous === undefined) delete process.env.PHOTOCLUSTER_MODELS_URL;
    else process.env.PHOTOCLUSTER_MODELS_URL = previous;
  });
}

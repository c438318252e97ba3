/** What the preload adds to the page (electron/preload.ts); the renderer declares the same in its platform module. */
import type { ApiClient } from '../../core/api.js';

declare global {
  interface Window {
    photocluster?: ApiClient;
  }
}

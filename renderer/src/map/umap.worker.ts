/// <reference lib="webworker" />
/**
 * Lays out the library's embeddings in 2-D with UMAP, off the main thread so the UI stays responsive.
 * Deterministic for a given seed, and reports progress per optimisation epoch (throttled).
 */
import { UMAP } from 'umap-js';
import { seededRandom } from '../lib/embeddings.js';
import { neighboursFor, type LayoutMessage, type LayoutRequest } from './layoutProtocol.js';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (msg: LayoutMessage, transfer: Transferable[] = []) => scope.postMessage(msg, transfer);

scope.onmessage = (event: MessageEvent<LayoutRequest>) => {
  const { vectors, n, dim, seed } = event.data;
  try {
    const rows: number[][] = new Array(n);
    for (let i = 0; i < n; i++) rows[i] = Array.from(vectors.subarray(i * dim, (i + 1) * dim));
    const umap = new UMAP({ nComponents: 2, nNeighbors: neighboursFor(n), minDist: 0.1, random: seededRandom(seed) });
    const epochs = umap.initializeFit(rows);
    let lastPost = 0;
    for (let e = 0; e < epochs; e++) {
      umap.step();
      const now = performance.now();
      if (now - lastPost > 100) {
        lastPost = now;
        post({ type: 'progress', done: e + 1, total: epochs });
      }
    }
    const embedding = umap.getEmbedding();
    const coords = new Float32Array(n * 2);
    embedding.forEach((p, i) => {
      coords[2 * i] = p[0] ?? 0;
      coords[2 * i + 1] = p[1] ?? 0;
    });
    post({ type: 'done', coords }, [coords.buffer]);
  } catch (err) {
    post({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  }
};

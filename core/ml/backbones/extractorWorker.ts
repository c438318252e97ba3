// Worker-thread side of createParallelExtractor: one backend and one extractor, answering extract requests in order.
import { parentPort, workerData } from 'node:worker_threads';
import { createFeatureExtractor } from './extractor.js';
import type { WorkerInit, WorkerReply, WorkerRequest } from './extractorPool.js';
import { initBackend } from '../runtime/backend.js';

const init = workerData as WorkerInit;
const port = parentPort!;
const send = (m: WorkerReply, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

try {
  const backend = (await initBackend(init.backend)).name;
  const ex = await createFeatureExtractor(init.id, {
    dir: init.dir,
    runtime: init.runtime,
    inputSize: init.inputSize,
    batchSize: init.batchSize,
    onnxThreads: init.onnxThreads,
  });
  // Requests are handled one at a time so a worker never holds two batches of activations.
  let queue = Promise.resolve();
  port.on('message', (req: WorkerRequest) => {
    queue = queue.then(async () => {
      try {
        const f = await ex.extract(req.pixels, req.n, req.side);
        send({ kind: 'result', seq: req.seq, embedding: f.embedding, shallow: f.shallow }, [f.embedding.buffer as ArrayBuffer, f.shallow.buffer as ArrayBuffer]);
      } catch (err) {
        send({ kind: 'error', seq: req.seq, message: (err as Error).message });
      }
    });
  });
  send({ kind: 'ready', runtime: ex.runtime, cacheKey: ex.cacheKey, embeddingDim: ex.embeddingDim, shallowDim: ex.shallowDim, shallowShape: ex.shallowShape, inputSize: ex.inputSize, backend });
} catch (err) {
  send({ kind: 'error', seq: -1, message: `feature worker failed to start: ${(err as Error).message}` });
}

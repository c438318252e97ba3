/**
 * Entry point of the ML utility process (forked by main.ts through utilityWorkerPort.ts). TF.js runs here, so a crash
 * or an out-of-memory kill ends only this process: the service fails the job with the reason and forks a new one.
 */
import { runUtilityWorker } from './utilityWorker.js';

const port = process.parentPort;
if (!port) {
  process.stderr.write('ml-host: this file runs inside an Electron utility process (process.parentPort is missing)\n');
  process.exit(2);
}
try {
  await runUtilityWorker(port, process.argv);
} catch (err) {
  // stderr is piped to the main process log; the exit code tells MlHost that this worker is gone.
  process.stderr.write(`ml-host: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(70);
}

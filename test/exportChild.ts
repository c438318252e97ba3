/**
 * Runs one export in a child process so a test can kill it with SIGKILL at any moment.
 * argv[2]: JSON `{ "input": ExportInput }` (plan + run, i.e. re-running the same input) or
 * `{ "destination": string, "exportId": string }` (resumeExport). Prints one JSON line per progress event and a
 * final `{ "result": … }` line.
 */
import { planExport, resumeExport, runExport, type ExportInput, type ExportProgress } from '../core/service/export/index.js';

const args = JSON.parse(process.argv[2] ?? '{}') as { input?: ExportInput; destination?: string; exportId?: string };
const onProgress = (p: ExportProgress) => process.stdout.write(JSON.stringify({ progress: p }) + '\n');
const opts = { onProgress, progressIntervalMs: 0 };

const result = args.input
  ? await runExport(await planExport(args.input), opts)
  : await resumeExport(args.destination!, args.exportId!, opts);
process.stdout.write(JSON.stringify({ result }) + '\n');

// Child process of bench/dccm.ts: one timed DCCM training step on the plain cpu backend; prints its JSON result.
import { throughput } from './dccm.js';

const result = await throughput('cpu', 1, 0, 0);
process.stdout.write(JSON.stringify({ ...result, completed: true }) + '\n');

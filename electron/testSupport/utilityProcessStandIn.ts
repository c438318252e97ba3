/**
 * Test support: `utilityProcess.fork` for TypeScript entry files (ml-host.ts, service-host.ts) in plain Node: the
 * JavaScript stand-in of utilityProcessFork.mjs with tsx loaded in the child.
 */
import type { ForkLike } from '../utilityWorkerPort.js';
import { forkUtilityProcess } from './utilityProcessFork.mjs';

export const forkStandIn: ForkLike = (modulePath, args) => forkUtilityProcess(modulePath, args, ['--import', 'tsx']);

import type { UtilityProcessLike } from '../utilityWorkerPort.js';

export function forkUtilityProcess(modulePath: string, args: string[], execArgv?: string[]): UtilityProcessLike;

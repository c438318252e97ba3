/**
 * Test support: a `utilityProcess.fork` stand-in built on `child_process.fork`, with Electron's event shapes
 * (`message` with the data, `exit` with a numeric code), so the ML worker plumbing runs end to end in plain Node.
 */
import { fork } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ForkLike, UtilityProcessLike } from '../utilityWorkerPort.js';

const SHIM = path.join(path.dirname(fileURLToPath(import.meta.url)), 'parentPortShim.ts');

export const forkStandIn: ForkLike = (modulePath, args) => {
  const child = fork(SHIM, [modulePath, ...args], {
    execArgv: ['--import', 'tsx'],
    serialization: 'advanced',
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const proc: UtilityProcessLike = {
    get pid() {
      return child.pid;
    },
    stdout: child.stdout,
    stderr: child.stderr,
    postMessage(message) {
      if (child.connected) child.send(message as never);
    },
    kill() {
      return child.kill('SIGTERM');
    },
    on(event: 'message' | 'exit' | 'error', listener: (...args: never[]) => void) {
      if (event === 'message') child.on('message', listener as (m: unknown) => void);
      // Electron reports the waitpid status as a number; a signal shows as 128 + its number, as in a shell.
      if (event === 'exit') child.on('exit', (code, signal) => (listener as (c: number) => void)(code ?? 128 + (signal ? os.constants.signals[signal] : 0)));
      return proc;
    },
  };
  return proc;
};

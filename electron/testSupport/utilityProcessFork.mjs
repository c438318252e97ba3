// Test support: a `utilityProcess.fork` stand-in built on `child_process.fork`, with Electron's event shapes
// (`message` with the data, `exit` with a numeric code), so utility-process plumbing runs end to end in plain Node.
// Used by utilityProcessStandIn.ts (TypeScript entries, with tsx) and by fakeElectron.mjs (the staged app's JS).
import { fork } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SHIM = path.join(path.dirname(fileURLToPath(import.meta.url)), 'parentPortShim.mjs');

export function forkUtilityProcess(modulePath, args, execArgv = []) {
  const child = fork(SHIM, [modulePath, ...args], { execArgv, serialization: 'advanced', stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  const proc = {
    get pid() {
      return child.pid;
    },
    stdout: child.stdout,
    stderr: child.stderr,
    postMessage(message) {
      if (child.connected) child.send(message);
    },
    kill() {
      return child.kill('SIGTERM');
    },
    on(event, listener) {
      if (event === 'message') child.on('message', listener);
      // Electron reports the waitpid status as a number; a signal shows as 128 + its number, as in a shell.
      if (event === 'exit') child.on('exit', (code, signal) => listener(code ?? 128 + (signal ? os.constants.signals[signal] : 0)));
      return proc;
    },
  };
  return proc;
}

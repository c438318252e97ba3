import { spawn, type SpawnOptions } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = path.join(REPO_ROOT, 'bin', 'photocluster.js');

/** The unprivileged account tests switch to when they run as root (root can read mode-000 files). */
export const NOBODY = 65534;

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `node bin/photocluster.js ...args` for real and collects its output. */
export function runCli(args: string[], opts: SpawnOptions = {}): Promise<CliResult> {
  return collect([CLI, ...args], opts);
}

/** The CLI's main() as user `uid` (see runAsUser.ts); used by root to test what an ordinary user cannot read. */
export function runCliAsUser(uid: number, args: string[]): Promise<CliResult> {
  return collect(['--import', 'tsx', path.join(REPO_ROOT, 'test', 'helpers', 'runAsUser.ts'), String(uid), ...args], {});
}

function collect(nodeArgs: string[], opts: SpawnOptions): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, nodeArgs, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

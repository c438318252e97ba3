/**
 * `npm start`: the desktop app when Electron can run on this machine, otherwise browser mode (`photocluster serve`),
 * saying which and why. `npm start -- --browser` asks for browser mode; other arguments go to the mode started
 * (e.g. `npm start -- --port 8080` in browser mode).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { electronAvailability, type Availability } from './electronBinary.js';
import { ensureRendererBuilt, prepareDevApp } from './prepareApp.js';

export type LaunchPlan = { mode: 'electron'; binary: string; version: string } | { mode: 'browser'; reason: string };

export function planLaunch(args: readonly string[], env: NodeJS.ProcessEnv, availability: () => Availability): LaunchPlan {
  if (args.includes('--browser') || env.PHOTOCLUSTER_MODE === 'browser') return { mode: 'browser', reason: 'browser mode was asked for' };
  const a = availability();
  return a.ok ? { mode: 'electron', binary: a.binary, version: a.version } : { mode: 'browser', reason: a.reason };
}

/** Runs a child with the terminal, passing Ctrl+C and termination on, and resolves with its exit code. */
function runChild(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'inherit', env });
    const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
    const onInt = forward('SIGINT');
    const onTerm = forward('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(code ?? (signal === 'SIGINT' || signal === 'SIGTERM' ? 0 : 1));
    });
    child.on('error', (err) => {
      process.stderr.write(`could not run ${command}: ${err.message}\n`);
      resolve(1);
    });
  });
}

export async function startDesktopOrBrowser(root: string, argv: string[]): Promise<number> {
  const args = argv.filter((a) => a !== '--browser');
  let plan = planLaunch(argv, process.env, () => electronAvailability({ root }));
  if (plan.mode === 'electron') {
    try {
      const appDir = await prepareDevApp({ root, electronVersion: plan.version });
      process.stderr.write(`PhotoCluster: starting the desktop app (Electron ${plan.version}).\n`);
      // Chromium will not start its OS sandbox as root; say so rather than fail with its terse message.
      const asRoot = process.getuid?.() === 0;
      if (asRoot) process.stderr.write('PhotoCluster: running as root, so without Chromium\'s OS sandbox (--no-sandbox).\n');
      return await runChild(plan.binary, [...(asRoot ? ['--no-sandbox'] : []), appDir, ...args]);
    } catch (err) {
      plan = { mode: 'browser', reason: `the desktop app could not be prepared: ${(err as Error).message}` };
    }
  }
  process.stderr.write(`PhotoCluster: starting in browser mode, because ${plan.reason}.\n`);
  try {
    ensureRendererBuilt(root, (line) => process.stderr.write(`PhotoCluster: ${line}\n`));
  } catch (err) {
    process.stderr.write(`PhotoCluster: ${(err as Error).message}\n`);
    return 1;
  }
  return runChild(process.execPath, [path.join(root, 'bin', 'photocluster.js'), 'serve', ...args]);
}

/**
 * Finds out, without `require('electron')` (which tries to download the binary), whether Electron can run here:
 * the npm package's recorded binary exists, it starts (ELECTRON_RUN_AS_NODE prints its version, no window needed),
 * and on Linux there is a display to open a window on. Used by `npm start` and the Electron e2e project.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export type Availability = { ok: true; binary: string; version: string } | { ok: false; reason: string };

export interface FindOptions {
  /** The repository root (holding node_modules/electron). */
  root: string;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
}

/** Where the electron package says its binary is; no download, no process. */
export function findElectronBinary(opts: FindOptions): Availability {
  const env = opts.env ?? process.env;
  const pkgDir = path.join(opts.root, 'node_modules', 'electron');
  if (!fs.existsSync(path.join(pkgDir, 'package.json'))) return { ok: false, reason: 'the electron package is not installed (run `npm install`)' };
  const version = (JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { version: string }).version;
  const pathFile = path.join(pkgDir, 'path.txt');
  const relative = fs.existsSync(pathFile) ? fs.readFileSync(pathFile, 'utf8').trim() : null;
  const override = env.ELECTRON_OVERRIDE_DIST_PATH;
  if (!override && relative === null) {
    return {
      ok: false,
      reason: `Electron ${version}'s binary has not been downloaded (node_modules/electron/path.txt is missing); on a machine with internet access run \`npx install-electron\` (needs Node ≥ 22.12)`,
    };
  }
  const binary = override ? path.join(override, relative ?? 'electron') : path.join(pkgDir, 'dist', relative!);
  if (!fs.existsSync(binary)) return { ok: false, reason: `Electron's binary is missing at ${binary}` };
  return { ok: true, binary, version };
}

/** Runs the binary as Node for an instant to prove it starts (shared libraries present, right architecture). */
export function probeElectron(binary: string, timeoutMs = 20_000): Availability {
  const r = spawnSync(binary, ['-e', 'process.stdout.write(String(process.versions.electron))'], {
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    encoding: 'utf8',
    timeout: timeoutMs,
  });
  if (r.error) return { ok: false, reason: `Electron could not be started: ${r.error.message}` };
  if (r.status !== 0 || !/^\d+\.\d+\.\d+/.test(r.stdout ?? '')) {
    const detail = (r.stderr || r.stdout || '').trim().split('\n')[0] || `exit code ${r.status ?? r.signal}`;
    return { ok: false, reason: `Electron does not run on this machine: ${detail}` };
  }
  return { ok: true, binary, version: r.stdout.trim() };
}

/** A window needs a display server on Linux (X11 or Wayland; `xvfb-run` provides one for tests). */
export function displayProblem(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string | null {
  if (platform !== 'linux') return null;
  return env.DISPLAY || env.WAYLAND_DISPLAY ? null : 'there is no display to open a window on (DISPLAY and WAYLAND_DISPLAY are unset)';
}

/** Everything together: the binary exists, runs, and has somewhere to show a window. */
export function electronAvailability(opts: FindOptions): Availability {
  const found = findElectronBinary(opts);
  if (!found.ok) return found;
  const display = displayProblem(opts.env, opts.platform);
  if (display) return { ok: false, reason: display };
  return probeElectron(found.binary);
}

/**
 * Packages the desktop app.
 *
 *   npm run dist:desktop [-- <electron-builder args>]   installers for this platform (default targets of
 *                                                     electron-builder.yml), or e.g. `-- --linux AppImage deb`
 *   npm run dist:check [-- --project DIR] [--out DIR]  an unpacked Linux app built against a stand-in Electron (no
 *                                                     download), then checked: entry points, native modules
 *                                                     unpacked, no tests or dev files, fuses flipped. Exits 1 when
 *                                                     it finds a problem. --project packs an already staged project
 *                                                     folder instead of this repository (the tests do); --out keeps
 *                                                     the package and check.json (the report) there
 *
 * Both build the renderer if it is missing and stage the app (stageApp.ts). A real build lets electron-builder
 * rebuild better-sqlite3 for Electron's ABI in node_modules, then restores the Node build so `npm test` still works.
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import builder from 'electron-builder';
import { inspectPackage, readFuses, type PackageContents } from './inspectPackage.js';
import { stageApp } from './stageApp.js';
import { makeStandInElectronDist } from './standInElectron.js';

export interface CheckResult extends PackageContents {
  appOutDir: string;
  executable: string;
  fuses: string;
}

function electronVersion(root: string): string {
  return (JSON.parse(fs.readFileSync(path.join(root, 'node_modules', 'electron', 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * Packs `projectDir` (which holds package.json, electron-builder.yml, resources/, node_modules/ and the staged
 * dist/app) as an unpacked Linux app against a stand-in Electron, and inspects the result.
 */
export async function packAndInspect(projectDir: string, outputDir: string): Promise<CheckResult> {
  const standIn = makeStandInElectronDist(path.join(outputDir, 'stand-in-electron'), electronVersion(projectDir));
  await builder.build({
    projectDir,
    targets: builder.Platform.LINUX.createTarget('dir', builder.Arch.x64),
    publish: 'never',
    // Merged over electron-builder.yml: only what a check without the real Electron needs.
    config: { electronDist: standIn, npmRebuild: false, directories: { output: path.join(outputDir, 'packages') } },
  });
  const appOutDir = path.join(outputDir, 'packages', 'linux-unpacked');
  const executable = path.join(appOutDir, 'photocluster');
  return { ...inspectPackage(appOutDir), appOutDir, executable, fuses: await readFuses(executable) };
}

function sha256(file: string): string | null {
  return fs.existsSync(file) ? crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex') : null;
}

function run(cmd: string, args: string[], cwd: string): void {
  const r = spawnSync(cmd, args, { cwd, stdio: 'inherit', shell: process.platform === 'win32' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
}

async function check(argv: string[], root: string): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { check: { type: 'boolean' }, project: { type: 'string' }, out: { type: 'string' } } });
  const project = values.project ? path.resolve(values.project) : root;
  if (!values.project) await stageRepository(root);
  const out = values.out ? path.resolve(values.out) : fs.mkdtempSync(path.join(os.tmpdir(), 'photocluster-dist-check-'));
  fs.mkdirSync(out, { recursive: true });
  const result = await packAndInspect(project, out);
  const report = path.join(out, 'check.json');
  fs.writeFileSync(report, JSON.stringify(result, null, 2));
  process.stdout.write(
    `app.asar: ${result.entries.length} entries; unpacked: ${result.unpacked.length} files; fuses: ${result.fuses}\n` +
      (result.problems.length ? `problems:\n  ${result.problems.join('\n  ')}\n` : 'no problems\n') +
      `output: ${result.appOutDir}\nreport: ${report}\n`,
  );
  return result.problems.length ? 1 : 0;
}

async function stageRepository(root: string): Promise<void> {
  const rendererDir = path.join(root, 'dist', 'renderer');
  if (!fs.existsSync(path.join(rendererDir, 'index.html'))) run('npm', ['run', 'build:renderer'], root);
  await stageApp({ root, outDir: path.join(root, 'dist', 'app'), rendererDir });
}

async function main(argv: string[]): Promise<number> {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  if (argv[0] === '--check') return check(argv, root);
  await stageRepository(root);

  const addon = path.join(root, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
  const before = sha256(addon);
  try {
    run('npx', ['electron-builder', '--publish', 'never', ...argv], root);
  } finally {
    if (sha256(addon) !== before) {
      process.stderr.write('restoring better-sqlite3 for Node (electron-builder rebuilt it for Electron)…\n');
      run('npm', ['rebuild', 'better-sqlite3'], root);
    }
  }
  return 0;
}

const isEntry = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
// An explicit exit: electron-builder's temp-file cleanup (async-exit-hook) answers 'beforeExit' with process.exit(0),
// which would replace a failing check's exit code.
if (isEntry) process.exit(await main(process.argv.slice(2)));

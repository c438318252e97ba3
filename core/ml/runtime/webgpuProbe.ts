/**
 * Which graphics adapter Dawn would pick, asked in a short-lived child process whose output is kept away from ours.
 *
 * Why a child: while Dawn and the Vulkan drivers look for a device they write straight to the process's stderr
 * ("error: XDG_RUNTIME_DIR is invalid or not set", "Vulkan shaderUniform*ArrayDynamicIndexing required", a line of
 * Dawn's source) — on a Linux machine without a usable graphics card that is every `photocluster` command, and it reads
 * as if something failed. Native writes cannot be silenced from JavaScript, so "automatic" asks a child first and
 * loads Dawn here only where the child found a real card (where the drivers have nothing to complain about).
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { describeAdapter, NO_ADAPTER, type AdapterInfo, type GpuAdapterDescription } from './webgpuAdapter.js';

/** What the child prints: the adapter's info, or that there is none. */
interface ProbeReport {
  adapter: (AdapterInfo & { fallback: boolean }) | null;
}

// Run as an ES module by `node --input-type=module -e`; the package is imported by absolute URL (argv[1]) because a
// script given with -e resolves bare names from the working directory, which in a packaged app is anywhere.
const SCRIPT = `
const dawn = await import(process.argv[1]);
const adapter = await dawn.create([]).requestAdapter();
const info = adapter?.info ?? {};
const report = { adapter: adapter ? { vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description, fallback: adapter.isFallbackAdapter === true } : null };
process.stdout.write(JSON.stringify(report) + '\\n');
process.exit(0);
`;

/** How long the child may take: loading Dawn and asking the drivers took 0.16–0.22 s here. */
const PROBE_TIMEOUT_MS = 20_000;

/** The adapter Dawn would pick here, without a word on our stderr; throws where there is none or Dawn cannot load. */
export async function probeWebGpuAdapter(): Promise<GpuAdapterDescription> {
  const entry = pathToFileURL(createRequire(import.meta.url).resolve('webgpu')).href;
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', SCRIPT, entry],
      // ELECTRON_RUN_AS_NODE: inside the packaged app process.execPath is Electron, which then runs the script as Node.
      { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, timeout: PROBE_TIMEOUT_MS, windowsHide: true },
      (err, out) => (err ? reject(new Error(`the graphics check could not run (${err.message.split('\n')[0]})`)) : resolve(out)),
    );
  });
  return describeProbe(stdout);
}

/** The child's report as an adapter description (exported for tests). */
export function describeProbe(stdout: string): GpuAdapterDescription {
  let report: ProbeReport;
  try {
    report = JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as ProbeReport;
  } catch {
    throw new Error('the graphics check gave no answer');
  }
  if (!report.adapter) throw new Error(NO_ADAPTER);
  return describeAdapter(report.adapter, report.adapter.fallback);
}

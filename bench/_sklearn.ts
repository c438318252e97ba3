// Runs one of the bench's sklearn scripts (bench/_*.py) on float32 / int32 arrays written to a temporary folder.
// Debian's python3-sklearn (apt-get install python3-sklearn) lives under /usr/bin/python3.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `arrays` are written as raw files and passed to the script as paths under the same keys, next to `job`; the
 * script's JSON output is returned, or `{ error }` when it failed.
 */
export function runSklearn(script: string, arrays: Record<string, Float32Array | Int32Array>, job: Record<string, unknown>): Record<string, unknown> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-sklearn-'));
  try {
    const paths = Object.fromEntries(
      Object.entries(arrays).map(([key, a]) => {
        const p = path.join(tmp, `${key}.bin`);
        fs.writeFileSync(p, new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
        return [key, p];
      }),
    );
    const file = path.join(path.dirname(fileURLToPath(import.meta.url)), script);
    const python = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
    const r = spawnSync(python, [file], { input: JSON.stringify({ ...job, ...paths }), encoding: 'utf8', maxBuffer: 1 << 24 });
    if (r.status !== 0) return { error: `${script} failed (needs python3-sklearn): ${r.stderr.slice(-500)}` };
    return JSON.parse(r.stdout) as Record<string, unknown>;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';

const made: string[] = [];

/** A fresh temp directory removed after the current test (permissions restored first so rm can enter it). */
export function tempDir(prefix = 'pc-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

function makeRemovable(p: Buffer): void {
  const st = fs.lstatSync(p, { throwIfNoEntry: false });
  if (!st || st.isSymbolicLink()) return;
  fs.chmodSync(p, st.isDirectory() ? 0o755 : 0o644);
  if (st.isDirectory()) for (const name of fs.readdirSync(p, { encoding: 'buffer' })) makeRemovable(Buffer.concat([p, Buffer.from('/'), name]));
}

afterEach(() => {
  for (const dir of made.splice(0)) {
    makeRemovable(Buffer.from(dir));
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

#!/usr/bin/env node
// `npm run bench -- <name> [args]`: runs bench/<name>.ts (which exports `run(args)` returning a JSON-able report)
// and writes the report to bench/results/<name>-<time>.json.
import { register } from 'tsx/esm/api';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

register();
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [name, ...args] = process.argv.slice(2);
const available = fs
  .readdirSync(path.join(root, 'bench'))
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.startsWith('_'))
  .map((f) => f.slice(0, -3));
if (!name || !available.includes(name)) {
  process.stderr.write(`usage: npm run bench -- <${available.join('|') || 'name'}> [args]\n`);
  process.exit(2);
}
const mod = await import(path.join(root, 'bench', `${name}.ts`));
const startedAt = new Date();
const report = await mod.run(args);
const full = {
  bench: name,
  startedAt: startedAt.toISOString(),
  host: { node: process.version, platform: process.platform, arch: process.arch, cpus: os.cpus().length, totalMemGiB: Math.round(os.totalmem() / 2 ** 30) },
  ...report,
};
const outDir = path.join(root, 'bench', 'results');
fs.mkdirSync(outDir, { recursive: true });
const file = path.join(outDir, `${name}-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
fs.writeFileSync(file, JSON.stringify(full, null, 2) + '\n');
process.stdout.write(JSON.stringify(full, null, 2) + `\nreport: ${path.relative(process.cwd(), file)}\n`);

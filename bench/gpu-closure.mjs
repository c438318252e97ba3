#!/usr/bin/env node
// The node_modules files an esbuild bundle (built with --packages=external) needs at run time, for bench/gpu-pack.sh.
// Usage: node bench/gpu-closure.mjs BUNDLE.mjs META.json > files.txt   (paths relative to node_modules/, one a line)
//
// Seeds: the bundle's external imports from esbuild's metafile, plus every quoted string in the bundle that names an
// installed package (the code imports the optional ones — webgpu, @tensorflow/tfjs-backend-webgpu, tfjs-node(-gpu) —
// through variables, which esbuild cannot see). Then dependencies, optionalDependencies and peerDependencies,
// transitively, resolved the way Node does (nested node_modules first). Files no one loads at run time are left
// out: source maps, type declarations, docs, browser builds (*.min.js, *.esm.js, *.fesm.js, *.es2017.js), native
// build intermediates and sources, and other platforms' Dawn binaries. A summary goes to stderr.
import fs from 'node:fs';
import path from 'node:path';

const [bundle, metafile] = process.argv.slice(2);
if (!bundle || !metafile) {
  console.error('usage: node bench/gpu-closure.mjs BUNDLE.mjs META.json');
  process.exit(2);
}
const root = process.cwd();
const nm = path.join(root, 'node_modules');
const TARGET = 'linux-x64';

const pkgName = (spec) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
const isInstalled = (name) => /^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/i.test(name) && fs.existsSync(path.join(nm, name, 'package.json'));

const seeds = new Map(); // name → why
const meta = JSON.parse(fs.readFileSync(metafile, 'utf8'));
for (const out of Object.values(meta.outputs)) {
  for (const imp of out.imports) if (imp.external && !imp.path.startsWith('node:')) seeds.set(pkgName(imp.path), 'import');
}
// Only the project's own dependencies count as string seeds ("boolean" is a word before it is a package); tsx is the
// TypeScript loader the bench's child processes use, not something the JavaScript bundle loads.
const own = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const declared = new Set(Object.keys({ ...own.dependencies, ...own.optionalDependencies }));
const NOT_AT_RUN_TIME = new Set(['tsx']);
const text = fs.readFileSync(bundle, 'utf8');
for (const m of text.matchAll(/["'`]((?:@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*)(?:\/[^"'`\s]*)?["'`]/gi)) {
  const name = m[1];
  if (!seeds.has(name) && declared.has(name) && !NOT_AT_RUN_TIME.has(name) && isInstalled(name)) seeds.set(name, 'string');
}
for (const spec of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
  if (text.includes(spec) && !isInstalled(spec)) console.error(`gpu-closure: ${spec} is named in the bundle but not installed (its backend will report itself unavailable)`);
}

/** Node's lookup: FROM/node_modules/NAME, then each parent's node_modules, up to the project root. */
function resolve(name, from) {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (dir === root || dir === path.dirname(dir)) return null;
  }
}

const packages = new Map(); // dir → package.json
const queue = [...seeds.keys()].map((name) => ({ name, from: root, optional: false }));
while (queue.length) {
  const { name, from, optional } = queue.shift();
  const dir = resolve(name, from);
  if (!dir) {
    if (!optional) console.error(`gpu-closure: ${name} (needed from ${path.relative(root, from) || '.'}) is not installed`);
    continue;
  }
  if (packages.has(dir)) continue;
  const pj = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  packages.set(dir, pj);
  for (const d of Object.keys(pj.dependencies ?? {})) queue.push({ name: d, from: dir, optional: false });
  for (const d of Object.keys({ ...pj.optionalDependencies, ...pj.peerDependencies })) queue.push({ name: d, from: dir, optional: true });
}

const DROP_FILE = /(\.map|\.d\.[cm]?ts|\.md|\.markdown|\.min\.js|\.esm\.js|\.fesm\.js|\.es2017\.js|\.o|\.a|\.c|\.cc|\.cpp|\.h|\.hpp|\.gyp|\.gypi|\.mk|\.tsbuildinfo)$/i;
const DROP_DIR = new Set(['node_modules', 'obj', 'obj.target', '.github', '__tests__', '.nyc_output']);
/** Folders at a package's top level that hold tests, coverage reports or examples. */
const DROP_TOP = new Set(['test', 'tests', 'coverage', 'example', 'examples', 'docs', 'benchmark', 'benchmarks']);

/** Entry files named by package.json (never dropped, whatever their name). */
function entries(dir, pj) {
  const out = new Set();
  const add = (v) => {
    if (typeof v === 'string') out.add(path.normalize(path.join(dir, v)));
    else if (v && typeof v === 'object') Object.values(v).forEach(add);
  };
  add(pj.main ?? 'index.js');
  add(pj.exports);
  return out;
}

const files = [];
let bytes = 0;
const perPackage = [];
for (const [dir, pj] of packages) {
  const keep = entries(dir, pj);
  const native = fs.existsSync(path.join(dir, 'binding.gyp'));
  const entryInSrc = [...keep].some((f) => path.relative(dir, f).startsWith('src' + path.sep));
  let pkgBytes = 0;
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      const rel = path.relative(dir, full);
      if (e.isDirectory()) {
        if (DROP_DIR.has(e.name) || (rel === e.name && DROP_TOP.has(e.name))) continue;
        if (rel === 'src' && !entryInSrc) continue; // sources next to a built dist/ or lib/
        if (native && rel === 'deps') continue; // a native addon's bundled C sources
        if (pj.name === 'webgpu' && path.dirname(rel) === 'dist' && e.name !== TARGET) continue; // other platforms' dawn.node
        walk(full);
      } else if (e.isFile() || e.isSymbolicLink()) {
        if (!keep.has(full) && DROP_FILE.test(e.name)) continue;
        if (native && /^test_.*\.node$/.test(e.name)) continue;
        const size = fs.statSync(full).size;
        pkgBytes += size;
        files.push(path.relative(nm, full));
      }
    }
  };
  walk(dir);
  bytes += pkgBytes;
  perPackage.push([path.relative(nm, dir), pkgBytes]);
}

for (const f of files.sort()) process.stdout.write(f + '\n');
console.error(`gpu-closure: seeds ${[...seeds].map(([n, why]) => (why === 'string' ? `${n} (named in a string)` : n)).join(', ')}`);
console.error(`gpu-closure: ${packages.size} packages, ${files.length} files, ${(bytes / 2 ** 20).toFixed(1)} MiB before compression; largest:`);
for (const [p, b] of perPackage.sort((a, b) => b[1] - a[1]).slice(0, 8)) console.error(`  ${(b / 2 ** 20).toFixed(1).padStart(6)} MiB  ${p}`);

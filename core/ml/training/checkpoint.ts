import fs from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { createModel, type ClusterModel, type ModelSpec, type NamedArrays } from './model.js';
import '../scratch/dccmNet.js';

/**
 * A checkpoint directory: `checkpoint.json` (metadata + an index of named arrays) and one binary file holding the
 * arrays. A new binary gets a new name and the JSON is replaced by rename, so a crash mid-write leaves the previous
 * checkpoint intact; stale binaries are removed afterwards.
 */
export const CHECKPOINT_FILE = 'checkpoint.json';
const FORMAT = 'photocluster-checkpoint';
const VERSION = 1;

export type StoredArray = { dtype: 'float32'; shape: number[]; values: Float32Array } | { dtype: 'int32'; shape: number[]; values: Int32Array };

export interface CheckpointData {
  meta: Record<string, unknown>;
  arrays: Map<string, StoredArray>;
}

interface IndexEntry {
  name: string;
  dtype: 'float32' | 'int32';
  shape: number[];
  offset: number;
  length: number;
}

interface CheckpointJson {
  format: string;
  version: number;
  savedAt: string;
  arraysFile: string;
  arrays: IndexEntry[];
  meta: Record<string, unknown>;
}

export async function writeCheckpoint(dir: string, data: CheckpointData): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  const entries: IndexEntry[] = [];
  let offset = 0;
  for (const [name, arr] of data.arrays) {
    const length = arr.values.byteLength;
    entries.push({ name, dtype: arr.dtype, shape: arr.shape, offset, length });
    offset += length;
  }
  const bin = Buffer.alloc(offset);
  let i = 0;
  for (const arr of data.arrays.values()) {
    const bytes = Buffer.from(arr.values.buffer, arr.values.byteOffset, arr.values.byteLength);
    bytes.copy(bin, entries[i++]!.offset);
  }
  const arraysFile = `arrays-${Date.now()}-${randomUUID().slice(0, 8)}.bin`;
  await writeDurably(path.join(dir, arraysFile), bin);
  const json: CheckpointJson = { format: FORMAT, version: VERSION, savedAt: new Date().toISOString(), arraysFile, arrays: entries, meta: data.meta };
  const tmp = path.join(dir, `${CHECKPOINT_FILE}.${randomUUID().slice(0, 8)}.tmp`);
  await writeDurably(tmp, Buffer.from(JSON.stringify(json)));
  await fs.rename(tmp, path.join(dir, CHECKPOINT_FILE));
  for (const name of await fs.readdir(dir)) {
    if ((name.startsWith('arrays-') && name.endsWith('.bin') && name !== arraysFile) || name.endsWith('.tmp')) {
      await fs.rm(path.join(dir, name), { force: true });
    }
  }
}

async function writeDurably(file: string, bytes: Buffer): Promise<void> {
  const handle = await fs.open(file, 'w');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function checkpointExists(dir: string): Promise<boolean> {
  try {
    await fs.access(path.join(dir, CHECKPOINT_FILE));
    return true;
  } catch {
    return false;
  }
}

export async function readCheckpoint(dir: string): Promise<CheckpointData> {
  const json = JSON.parse(await fs.readFile(path.join(dir, CHECKPOINT_FILE), 'utf8')) as CheckpointJson;
  if (json.format !== FORMAT) throw new Error(`${dir} is not a PhotoCluster checkpoint`);
  if (json.version > VERSION) throw new Error(`checkpoint version ${json.version} is newer than this app understands (${VERSION})`);
  const bin = await fs.readFile(path.join(dir, json.arraysFile));
  const arrays = new Map<string, StoredArray>();
  for (const e of json.arrays) {
    if (e.offset + e.length > bin.length) throw new Error(`checkpoint array ${e.name} is truncated`);
    // Copy out so the typed array is aligned and owns its memory.
    const bytes = new Uint8Array(bin.subarray(e.offset, e.offset + e.length));
    arrays.set(
      e.name,
      e.dtype === 'int32'
        ? { dtype: 'int32', shape: e.shape, values: new Int32Array(bytes.buffer) }
        : { dtype: 'float32', shape: e.shape, values: new Float32Array(bytes.buffer) },
    );
  }
  return { meta: json.meta, arrays };
}

/** Adds `prefix/`-named float arrays. */
export function putNamed(target: Map<string, StoredArray>, prefix: string, named: NamedArrays): void {
  for (const [name, { shape, values }] of named) target.set(`${prefix}/${name}`, { dtype: 'float32', shape, values });
}

/** The float arrays under `prefix/`, with the prefix removed. */
export function takeNamed(source: Map<string, StoredArray>, prefix: string): NamedArrays {
  const out: NamedArrays = new Map();
  for (const [name, arr] of source) {
    if (!name.startsWith(`${prefix}/`)) continue;
    if (arr.dtype !== 'float32') throw new Error(`${name} is not float32`);
    out.set(name.slice(prefix.length + 1), { shape: arr.shape, values: arr.values });
  }
  return out;
}

/** Writes a model alone (weights + BatchNorm statistics) for prediction. */
export async function saveModel(dir: string, model: ClusterModel, meta: Record<string, unknown> = {}): Promise<void> {
  const arrays = new Map<string, StoredArray>();
  putNamed(arrays, 'model', await model.getState());
  await writeCheckpoint(dir, { meta: { ...meta, model: model.spec }, arrays });
}

/** Rebuilds the model stored in a model or training checkpoint directory. */
export async function loadModel(dir: string): Promise<ClusterModel> {
  const data = await readCheckpoint(dir);
  const spec = data.meta.model as ModelSpec | undefined;
  if (!spec || typeof spec.kind !== 'string') throw new Error(`${dir} holds no model`);
  const model = createModel(spec);
  try {
    model.setState(takeNamed(data.arrays, 'model'));
  } catch (err) {
    model.dispose();
    throw err;
  }
  return model;
}

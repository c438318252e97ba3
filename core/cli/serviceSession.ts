/** Shared plumbing of the CLI commands that drive the service in-process (cluster, edits, export, serve). */
import fs from 'node:fs';
import path from 'node:path';
import type { ClusterInfo, JobInfo, JobPhase } from '../api.js';
import { resolveDataPaths } from '../paths.js';
import { jobEnd } from '../service/jobEnd.js';
import { createService } from '../service/service.js';
import type { Service } from '../service/types.js';
import { UsageError } from '../cli.js';
import { barLine, TerminalLine } from './progressLine.js';

export const dbOption = { db: { type: 'string' }, json: { type: 'boolean', default: false } } as const;

export async function openService(values: Record<string, unknown>, extra: { folderRoot?: string; nameDueGroupsAtStart?: boolean } = {}): Promise<Service> {
  const paths = resolveDataPaths({ db: values.db as string | undefined });
  return createService({
    paths,
    platform: 'browser',
    folderRoot: extra.folderRoot,
    nameDueGroupsAtStart: extra.nameDueGroupsAtStart,
    log: (line) => void (process.env.PHOTOCLUSTER_DEBUG && process.stderr.write(line + '\n')),
  });
}

/** The library whose root is `folder`; errors when the folder was never scanned into this database. */
export async function libraryFor(service: Service, folder: string | undefined): Promise<number> {
  if (!folder) throw new UsageError('missing <folder>');
  let real: string;
  try {
    real = fs.realpathSync(path.resolve(folder));
  } catch {
    throw new Error(`folder not found: ${path.resolve(folder)}`);
  }
  const lib = (await service.listLibraries()).find((l) => l.root === real);
  if (!lib) throw new Error(`${real} is not a PhotoCluster library in this database yet; run \`photocluster cluster ${folder}\` first`);
  return lib.id;
}

export function parseId(text: string | undefined, what: string): number {
  if (!text || !/^[1-9][0-9]*$/.test(text)) throw new UsageError(`${what} must be a positive integer, got ${JSON.stringify(text ?? '')}`);
  return Number(text);
}

const PHASE_WORDS: Record<JobPhase, string> = {
  'find-photos': 'finding photos',
  'read-photos': 'reading photos',
  'download-model': 'downloading the backbone',
  features: 'features',
  'choose-k': 'choosing the number of groups',
  'start-training': 'starting from k-means',
  train: 'training',
  assign: 'assigning',
  'refill-groups': 'refilling empty or tiny groups',
  'check-groups': 'checking the groups',
  'name-groups': 'suggesting group names',
  export: 'exporting',
};

/** Waits for a job, drawing its progress on a terminal; throws with the job's error when it did not finish. */
export async function followJob(service: Service, job: JobInfo, quiet: boolean): Promise<JobInfo> {
  const line = !quiet && process.stderr.isTTY ? new TerminalLine(process.stderr) : null;
  const off = service.on('job', (j) => {
    if (j.id !== job.id || !line || !j.progress) return;
    const { phase, done, total, etaSeconds, message } = j.progress;
    line.draw(barLine({ label: PHASE_WORDS[phase], done, total, etaSeconds, detail: message }));
  });
  const onSigint = () => void service.cancelJob({ jobId: job.id });
  process.once('SIGINT', onSigint);
  try {
    const current = await jobEnd(service, job);
    line?.clear();
    if (current.state !== 'done') throw new Error(current.error ?? `the ${current.kind} job was ${current.state}`);
    return current;
  } finally {
    off();
    process.off('SIGINT', onSigint);
  }
}

export interface ClusterListing {
  k: number;
  /** `suggestedName`: a name the app suggests for a group the user has not named (null when none). */
  clusters: Array<{ id: number; name: string; size: number; suggestedName: string | null }>;
  assignments: Array<{ path: string; cluster: number; confidence: number | null }>;
}

/** The `cluster` command's JSON, also printed by every edit command with --json. */
export async function clusterListing(service: Service, libraryId: number): Promise<ClusterListing> {
  const clusters = await service.listClusters({ libraryId, includeHidden: true });
  const assignments: ClusterListing['assignments'] = [];
  for (let offset = 0; ; offset += 50_000) {
    const page = await service.listPhotos({ libraryId, sort: 'name', order: 'asc', offset, limit: 50_000 });
    for (const p of page.items) if (p.clusterId !== null) assignments.push({ path: p.relPath, cluster: p.clusterId, confidence: p.confidence });
    if (offset + page.items.length >= page.total) break;
  }
  return { k: clusters.length, clusters: clusters.map((c: ClusterInfo) => ({ id: c.id, name: c.name, size: c.size, suggestedName: c.suggestedName })), assignments };
}

export function printClusters(listing: ClusterListing, json: boolean): void {
  if (json) {
    process.stdout.write(JSON.stringify(listing) + '\n');
    return;
  }
  const width = Math.max(4, ...listing.clusters.map((c) => String(c.id).length));
  for (const c of listing.clusters) {
    const hint = c.suggestedName ? `  (suggested name: ${c.suggestedName})` : '';
    process.stdout.write(`${String(c.id).padStart(width)}  ${String(c.size).padStart(6)}  ${c.name}${hint}\n`);
  }
  process.stdout.write(`${listing.clusters.length} groups, ${listing.assignments.length} photos\n`);
}

/** `rename`, `move`, `merge`, `split`, `undo`, `redo`: one edit each, printed as the resulting groups. */
import type { Command } from '../cli.js';
import { UsageError } from '../cli.js';
import type { Service } from '../service/types.js';
import { clusterListing, dbOption, followJob, libraryFor, openService, parseId, printClusters } from './serviceSession.js';

/**
 * Waits for the naming the edit queued (a split's new groups, a merge), so the groups print with their suggested names
 * and the job is not left behind unfinished when the command exits. Names are a nicety: a stopped naming is reported,
 * not an error of the edit, which has already been saved.
 */
async function awaitNaming(service: Service, libraryId: number): Promise<void> {
  for (const job of await service.listJobs({ libraryId, limit: 20 })) {
    if (job.kind !== 'names' || (job.state !== 'queued' && job.state !== 'running')) continue;
    try {
      await followJob(service, job, false);
    } catch (err) {
      process.stderr.write(`the groups were not named again: ${(err as Error).message}\n`);
    }
  }
}

function editCommand(name: string, usage: string, edit: (service: Service, libraryId: number, args: string[]) => Promise<void>): Command {
  return {
    name,
    usage,
    options: { ...dbOption },
    async run({ values, positionals }) {
      const [folder, ...args] = positionals;
      const service = await openService(values);
      try {
        const libraryId = await libraryFor(service, folder);
        await edit(service, libraryId, args);
        await awaitNaming(service, libraryId);
        printClusters(await clusterListing(service, libraryId), Boolean(values.json));
        return 0;
      } finally {
        await service.close();
      }
    },
  };
}

export const rename = editCommand('rename', 'Usage: photocluster rename <folder> [--db FILE] [--json] <clusterId> <name>', async (service, _lib, args) => {
  const [id, ...nameParts] = args;
  if (!nameParts.length) throw new UsageError('missing <name>');
  await service.renameCluster({ clusterId: parseId(id, 'clusterId'), name: nameParts.join(' ') });
});

export const move = editCommand('move', 'Usage: photocluster move <folder> [--db FILE] [--json] <clusterId> <relative path>...', async (service, libraryId, args) => {
  const [id, ...paths] = args;
  const clusterId = parseId(id, 'clusterId');
  if (!paths.length) throw new UsageError('name at least one photo by its path relative to the folder');
  const byPath = new Map<string, number>();
  for (let offset = 0; ; offset += 50_000) {
    const page = await service.listPhotos({ libraryId, sort: 'name', order: 'asc', offset, limit: 50_000 });
    for (const p of page.items) byPath.set(p.relPath, p.id);
    if (offset + page.items.length >= page.total) break;
  }
  const unknown = paths.filter((p) => !byPath.has(p.replace(/\\/g, '/').replace(/^\.\//, '')));
  if (unknown.length) throw new Error(`not photos of this library: ${unknown.join(', ')}`);
  await service.movePhotos({ photoIds: paths.map((p) => byPath.get(p.replace(/\\/g, '/').replace(/^\.\//, ''))!), to: { clusterId } });
});

export const merge = editCommand('merge', 'Usage: photocluster merge <folder> [--db FILE] [--json] <clusterId> <clusterId>...', async (service, _lib, args) => {
  if (args.length < 2) throw new UsageError('merging needs at least two cluster ids');
  await service.mergeClusters({ clusterIds: args.map((a) => parseId(a, 'clusterId')) });
});

export const split = editCommand('split', 'Usage: photocluster split <folder> [--db FILE] [--json] <clusterId> <n>', async (service, _lib, args) => {
  const [id, n] = args;
  await service.splitCluster({ clusterId: parseId(id, 'clusterId'), n: parseId(n, 'n') });
});

export const undo = editCommand('undo', 'Usage: photocluster undo <folder> [--db FILE] [--json]', async (service, libraryId) => {
  const { edit } = await service.undo({ libraryId });
  if (!edit) throw new Error('nothing to undo');
  process.stderr.write(`undid: ${edit.description}\n`);
});

export const redo = editCommand('redo', 'Usage: photocluster redo <folder> [--db FILE] [--json]', async (service, libraryId) => {
  const { edit } = await service.redo({ libraryId });
  if (!edit) throw new Error('nothing to redo');
  process.stderr.write(`redid: ${edit.description}\n`);
});

import type { Command } from '../cli.js';
import { UsageError } from '../cli.js';
import type { ExportMode } from '../api.js';
import type { ExportResult } from '../service/export/index.js';
import { dbOption, followJob, libraryFor, openService, parseId } from './serviceSession.js';

export const command: Command = {
  name: 'export',
  usage: `Usage: photocluster export <folder> [--db FILE] --to DIR [--mode copy|hardlink|symlink|move]
                          [--clusters ID,ID...] [--dry-run] [--json]
Copies (by default) each group into DIR/<group name>/. Never overwrites; "move" deletes an original only after its
copy has been verified, and never one outside the library folder (those are copied). Run again into the same DIR, it
adds only the photos not already there.`,
  options: { ...dbOption, to: { type: 'string' }, mode: { type: 'string', default: 'copy' }, clusters: { type: 'string' }, 'dry-run': { type: 'boolean', default: false } },
  async run({ values, positionals }) {
    const [folder, ...extra] = positionals;
    if (extra.length) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
    if (!values.to) throw new UsageError('--to DIR is required');
    const mode = values.mode as ExportMode;
    if (!['copy', 'hardlink', 'symlink', 'move'].includes(mode)) throw new UsageError('--mode must be copy, hardlink, symlink or move');
    const service = await openService(values);
    try {
      const libraryId = await libraryFor(service, folder);
      const clusterIds = values.clusters
        ? String(values.clusters).split(',').map((s) => parseId(s.trim(), 'cluster id'))
        : (await service.listClusters({ libraryId, includeHidden: false })).map((c) => c.id);
      if (!clusterIds.length) throw new Error('this library has no groups to export yet');
      const args = { libraryId, clusterIds, destination: String(values.to), mode };
      if (values['dry-run']) {
        const preview = await service.previewExport(args);
        if (values.json) process.stdout.write(JSON.stringify({ dryRun: true, exported: 0, skipped: 0, ...preview }) + '\n');
        else {
          for (const g of preview.groups) process.stdout.write(`${g.folder}/  ${g.files} files, ${(g.bytes / 1e6).toFixed(1)} MB\n`);
          process.stdout.write(`${preview.files} files, ${(preview.bytes / 1e6).toFixed(1)} MB; ${preview.fits ? 'fits' : 'does NOT fit'} (${preview.freeBytes === null ? '?' : (preview.freeBytes / 1e9).toFixed(1)} GB free)\n`);
          if (preview.alreadyThere) process.stdout.write(`${preview.alreadyThere} already there from an earlier export (not exported again)\n`);
          for (const p of preview.problems) process.stdout.write(`problem: ${p.path}: ${p.reason}\n`);
        }
        return 0;
      }
      const job = await followJob(service, await service.startExport(args), Boolean(values.json));
      const result = job.result as ExportResult;
      if (values.json) {
        const { exported, alreadyThere, skipped, failed, bytes, manifest, errors, notes } = result;
        process.stdout.write(JSON.stringify({ exported, alreadyThere, skipped, bytes, manifest, failed, errors, notes }) + '\n');
      } else {
        process.stdout.write(
          `exported ${result.exported}, ${result.alreadyThere} already there, skipped ${result.skipped}, failed ${result.failed}, ${(result.bytes / 1e6).toFixed(1)} MB\nmanifest: ${result.manifest}\n`,
        );
        for (const n of result.notes) process.stdout.write(`note: ${n.path}: ${n.reason}\n`);
        for (const e of result.errors) process.stderr.write(`${e.path}: ${e.reason}\n`);
      }
      return result.failed > 0 ? 1 : 0;
    } finally {
      await service.close();
    }
  },
};

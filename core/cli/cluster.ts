import type { Command } from '../cli.js';
import { UsageError } from '../cli.js';
import { clusterListing, dbOption, followJob, openService, printClusters } from './serviceSession.js';

export const command: Command = {
  name: 'cluster',
  usage: `Usage: photocluster cluster <folder> [--db FILE] [--k auto|N] [--mode finetune|scratch] [--backbone ID]
                           [--epochs E] [--backend B] [--seed S] [--json]
Scans the folder if needed, then groups its photos. Fine-tune mode (pretrained backbone + DCCM head) is the default.`,
  options: {
    ...dbOption,
    k: { type: 'string', default: 'auto' },
    mode: { type: 'string', default: 'finetune' },
    backbone: { type: 'string' },
    epochs: { type: 'string' },
    backend: { type: 'string' },
    seed: { type: 'string' },
  },
  async run({ values, positionals }) {
    const [folder, ...extra] = positionals;
    if (!folder || extra.length) throw new UsageError('expected exactly one <folder>');
    const k = values.k === 'auto' ? 'auto' : Number(values.k);
    if (k !== 'auto' && !(Number.isInteger(k) && k >= 2)) throw new UsageError('--k must be "auto" or an integer ≥ 2');
    if (values.mode !== 'finetune' && values.mode !== 'scratch') throw new UsageError('--mode must be finetune or scratch');
    const num = (v: unknown, name: string) => {
      if (v === undefined) return undefined;
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a non-negative integer`);
      return n;
    };
    const service = await openService(values);
    try {
      const library = await service.addLibrary({ root: folder });
      const job = await service.startClustering({
        libraryId: library.id,
        k,
        mode: values.mode,
        backbone: values.backbone as string | undefined,
        backend: values.backend as never,
        epochs: num(values.epochs, 'epochs'),
        seed: num(values.seed, 'seed'),
      });
      await followJob(service, job, Boolean(values.json));
      printClusters(await clusterListing(service, library.id), Boolean(values.json));
      return 0;
    } finally {
      await service.close();
    }
  },
};

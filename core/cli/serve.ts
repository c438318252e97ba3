import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from '../cli.js';
import { UsageError } from '../cli.js';
import { startServer } from '../server/server.js';
import { openService } from './serviceSession.js';

/** The built renderer, next to the sources in development and in the package. */
export const RENDERER_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'renderer');

export const command: Command = {
  name: 'serve',
  usage: `Usage: photocluster serve [--port N] [--db FILE] [--root DIR]
Runs PhotoCluster in the browser: binds 127.0.0.1 only and prints the address to open (it carries a per-launch token).
--root limits the folder browser (default: your home folder).`,
  options: { port: { type: 'string', default: '0' }, db: { type: 'string' }, root: { type: 'string' } },
  async run({ values, positionals }) {
    if (positionals.length) throw new UsageError(`unexpected arguments: ${positionals.join(' ')}`);
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port must be 0..65535');
    const staticDir = fs.existsSync(path.join(RENDERER_DIR, 'index.html')) ? RENDERER_DIR : null;
    // The app stays up: groups left due for a name (a naming stopped when it last quit) are named now.
    const service = await openService(values, { nameDueGroupsAtStart: true, ...(values.root ? { folderRoot: path.resolve(String(values.root)) } : {}) });
    const server = await startServer({ api: service, media: service.media, staticDir, port, log: (l) => process.stderr.write(l + '\n') });
    if (!staticDir) process.stderr.write(`note: the user interface is not built (${RENDERER_DIR} is missing); run \`npm run build:renderer\`. The API is served.\n`);
    process.stdout.write(`PhotoCluster is running at ${server.launchUrl}\n`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    process.stderr.write('stopping…\n');
    await server.close();
    await service.close();
    // A read of an original on a disk that stopped answering cannot be cancelled, and its thread would keep the
    // process alive after everything else has stopped.
    setTimeout(() => process.exit(0), 2000).unref();
    return 0;
  },
};

/**
 * Stands in for `photocluster serve` while the service is being built (E2E_SERVE=double): the same command line,
 * the same launch line, the real browser-mode server, with the contract double in `journey` mode behind it. It lets
 * the journey specs be checked for their own mistakes; it proves nothing about the service.
 * Usage: tsx e2e/support/serveDouble.ts serve --port 0 --db FILE
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { startServer } from '../../core/server/server.js';
import { RENDERER_DIST } from '../globalSetup.js';
import { contractDouble } from './contractDouble.js';

const { values } = parseArgs({ args: process.argv.slice(3), options: { port: { type: 'string' }, db: { type: 'string' } } });
const double = contractDouble({ journey: { home: os.homedir(), stateFile: values.db! } });
const server = await startServer({ api: double.api, media: double.media, staticDir: RENDERER_DIST, port: Number(values.port ?? 0) });
process.stdout.write(`PhotoCluster is running at ${server.launchUrl}\n`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));

#!/usr/bin/env node
// `npm start`: the desktop app when Electron's binary exists, otherwise browser mode (added with the service).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../core/cli.ts');
process.exitCode = await main(process.argv.slice(2).length ? process.argv.slice(2) : ['--help']);

#!/usr/bin/env node
// `npm start`: the desktop app when Electron's binary is present and runs here, otherwise browser mode
// (`photocluster serve`), saying why. See electron/dev/start.ts.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register();
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { startDesktopOrBrowser } = await import('../electron/dev/start.ts');
process.exitCode = await startDesktopOrBrowser(root, process.argv.slice(2));

/**
 * Entry point of the service's utility process (forked by main.ts through serviceProcess.ts). The database, scans,
 * exports and job bookkeeping run here, off the main process's thread, so the window, menus and the `thumb:`
 * protocol stay responsive; a crash here is a restart, not a dead window (SQLite keeps every edit).
 */
import { createService } from '../core/service/service.js';
import { runServiceHost } from './serviceHost.js';

const port = process.parentPort;
if (!port) {
  process.stderr.write('service-host: this file runs inside an Electron utility process (process.parentPort is missing)\n');
  process.exit(2);
}
runServiceHost(port, createService);

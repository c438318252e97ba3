// Test support: stands in for core/service/service.js in a staged app, so the main process's wiring can be driven
// without a database or ML worker. It runs in the service's utility process (a child process here), so it reports to
// the fake Electron over that process's channel (messages marked `fakeService`, see fakeElectron.mjs). Every method
// echoes its (validated) arguments; showFolderDialog asks the shell, which main answers.
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { METHOD_NAMES } from '../api.js';

const toFake = (message) => process.send?.({ fakeService: true, ...message });

export async function createService(opts) {
  if (process.env.FAKE_SERVICE_FAIL) throw new Error(process.env.FAKE_SERVICE_FAIL);
  const events = new EventEmitter();
  process.on('message', async (m) => {
    if (m?.fakeService !== 'emit') return;
    // The host subscribes right after this function returns; the event waits for it.
    while (events.listenerCount(m.event) === 0) await new Promise((r) => setTimeout(r, 5));
    events.emit(m.event, m.payload);
  });
  const api = {};
  for (const method of METHOD_NAMES) api[method] = async (args) => ({ method, args });
  api.showFolderDialog = async (args) => ({ method: 'showFolderDialog', args, picked: await opts.shell.showFolderDialog() });
  api.on = (event, listener) => {
    events.on(event, listener);
    return () => events.off(event, listener);
  };
  api.media = {
    thumbnailFile: async (id) => (id === 7 ? path.join(opts.paths.cacheDir, 't.webp') : null),
    previewImage: async () => null,
  };
  api.close = async () => toFake({ fakeService: 'record', what: 'service.close' });
  toFake({ fakeService: 'options', options: { platform: opts.platform, paths: opts.paths, spawnWorker: typeof opts.spawnWorker, shell: Object.keys(opts.shell).sort() } });
  return api;
}

// Test support: stands in for core/service/service.js in a staged app, so the main process's wiring can be driven
// without a database or ML worker. Every method echoes its (validated) arguments.
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { METHOD_NAMES } from '../api.js';

export async function createService(opts) {
  if (process.env.FAKE_SERVICE_FAIL) throw new Error(process.env.FAKE_SERVICE_FAIL);
  globalThis.__serviceOptions = opts;
  const events = new EventEmitter();
  globalThis.__fakeService = events;
  const api = {};
  for (const method of METHOD_NAMES) api[method] = async (args) => ({ method, args });
  api.on = (event, listener) => {
    events.on(event, listener);
    return () => events.off(event, listener);
  };
  api.media = {
    thumbnailFile: async (id) => (id === 7 ? path.join(opts.paths.cacheDir, 't.webp') : null),
    previewImage: async () => null,
  };
  api.close = async () => globalThis.__fakeElectronRecord('service.close');
  return api;
}

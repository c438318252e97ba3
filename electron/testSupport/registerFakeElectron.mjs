// Test support: `node --import ./registerFakeElectron.mjs dist/app/electron/main.js` runs the main process with
// fakeElectron.mjs answering for `electron`.
import { register } from 'node:module';

const fake = new URL('./fakeElectron.mjs', import.meta.url).href;
const hooks = `export async function resolve(specifier, context, next) {
  return specifier === 'electron' ? { url: ${JSON.stringify(fake)}, shortCircuit: true } : next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);

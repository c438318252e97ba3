// Test support: runs a utility-process entry file in a plain Node child process. Electron gives such a process
// `process.parentPort` (messages arrive as `{ data }`, held until a listener is attached); this provides the same over
// Node's IPC channel, then imports the entry given as argv[2]. Plain JavaScript, so a staged (built) app runs under
// it without a TypeScript loader.
import { pathToFileURL } from 'node:url';

const listeners = [];
// Like Electron's parentPort, hold messages until someone listens (the entry attaches its listener after imports).
const early = [];
process.on('message', (data) => (listeners.length ? listeners.forEach((l) => l({ data })) : early.push(data)));
// Like a utility process, this one ends with its parent.
process.on('disconnect', () => process.exit(0));
Object.assign(process, {
  parentPort: {
    on(event, listener) {
      if (event === 'message') {
        listeners.push(listener);
        early.splice(0).forEach((data) => listener({ data }));
      }
      return this;
    },
    postMessage(message) {
      process.send?.(message);
    },
  },
});
const entry = process.argv[2];
if (!entry) throw new Error('parentPortShim: the entry file is missing from argv');
await import(pathToFileURL(entry).href);

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * The renderer is served under a strict CSP (`script-src 'self'; style-src 'self'`): no inline scripts or styles.
 * Vite's module-preload polyfill is turned off (every browser we target supports modulepreload) and CSS is always
 * emitted as files, never injected at run time.
 */
export default defineConfig({
  root: path.join(here, 'renderer'),
  base: '/',
  plugins: [react()],
  build: {
    outDir: path.join(here, 'dist', 'renderer'),
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    cssCodeSplit: false,
    assetsInlineLimit: 0,
    sourcemap: false,
    target: 'es2022',
  },
  worker: { format: 'es' },
});

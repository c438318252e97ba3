/**
 * Preload of the PhotoCluster window. It runs sandboxed (no Node modules; only a subset of `electron`), so the build
 * bundles it with its imports into one CommonJS file (electron/build/stageApp.ts). It exposes exactly the contract
 * as `window.photocluster` and nothing else: no ipcRenderer, no channel names, no Node APIs.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { createBridge } from './bridge.js';

contextBridge.exposeInMainWorld('photocluster', createBridge(ipcRenderer));

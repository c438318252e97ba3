/**
 * Export of photo groups to folders: plan (dry run), run, resume. Plain inputs, no database: the service maps
 * clusters to `ExportInput` and records the result.
 */
export { planExport } from './plan.js';
export { runExport, resumeExport, listExports, type RunExportOptions, type ExportSummary } from './exporter.js';
export { readManifest, manifestToCsv } from './manifest.js';
export { sanitizeName, numberedName, nameKey, NameAllocator } from './names.js';
export { STATE_DIR_NAME } from './journal.js';
export * from './types.js';

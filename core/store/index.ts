export { openDatabase, DatabaseOpenError, type Database } from './db.js';
export { MIGRATIONS, migrate, type Migration } from './migrations.js';
export * from './libraries.js';
export * from './photos.js';
export * from './thumbnails.js';
export * from './scanRuns.js';

import os from 'node:os';
import path from 'node:path';

export interface DataPaths {
  /** Directory holding the database, caches and downloaded models. */
  dataDir: string;
  dbPath: string;
  /** Thumbnails and model inputs, keyed by content hash (safe to share between databases). */
  cacheDir: string;
  /** Downloaded backbone weights. */
  modelsDir: string;
}

const APP_DIR_NAME = 'PhotoCluster';

/** The platform's own per-user data directory for the app (XDG on Linux). */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.PHOTOCLUSTER_DATA_DIR) return path.resolve(env.PHOTOCLUSTER_DATA_DIR);
  const home = env.HOME || env.USERPROFILE || os.homedir();
  switch (platform) {
    case 'darwin':
      return path.join(home, 'Library', 'Application Support', APP_DIR_NAME);
    case 'win32':
      return path.join(env.APPDATA || path.join(home, 'AppData', 'Roaming'), APP_DIR_NAME);
    default: {
      const xdg = env.XDG_DATA_HOME && path.isAbsolute(env.XDG_DATA_HOME) ? env.XDG_DATA_HOME : path.join(home, '.local', 'share');
      return path.join(xdg, APP_DIR_NAME.toLowerCase());
    }
  }
}

/**
 * Where everything lives. `--db FILE` puts the database at FILE and the caches beside it, so a database file
 * given on the command line never writes into the user's global data dir.
 */
export function resolveDataPaths(opts: { db?: string | undefined; env?: NodeJS.ProcessEnv; platform?: NodeJS.Platform } = {}): DataPaths {
  if (opts.db) {
    const dbPath = path.resolve(opts.db);
    const dataDir = path.dirname(dbPath);
    return { dataDir, dbPath, cacheDir: path.join(dataDir, 'photocluster-cache'), modelsDir: path.join(dataDir, 'photocluster-models') };
  }
  const dataDir = defaultDataDir(opts.env, opts.platform);
  return {
    dataDir,
    dbPath: path.join(dataDir, 'photocluster.db'),
    cacheDir: path.join(dataDir, 'cache'),
    modelsDir: path.join(dataDir, 'models'),
  };
}

/** Root of the shared read-only datasets and models (`../shared` next to the repo unless overridden). */
export function sharedDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PHOTOCLUSTER_SHARED_DIR) return path.resolve(env.PHOTOCLUSTER_SHARED_DIR);
  return path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'shared');
}

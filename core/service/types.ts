import type { Api, ApiClient } from '../api.js';
import type { DataPaths } from '../paths.js';
import type { MediaSource } from '../media.js';
import type { WorkerPort } from './workerProtocol.js';

/** What only a desktop shell can do; browser mode falls back to opening things with the OS's own opener. */
export interface ShellIntegration {
  showFolderDialog?(title?: string): Promise<string | null>;
  /** Shows the folder (or the file inside its folder) in the system file manager. */
  revealPath?(p: string): Promise<boolean>;
  /** Opens a file with its default application. */
  openPath?(p: string): Promise<boolean>;
}

export interface ServiceOptions {
  paths: DataPaths;
  platform: 'electron' | 'browser';
  /** The folder browser's root (browser mode); default the user's home. */
  folderRoot?: string;
  /** Starts the ML worker process; default a Node child process (Electron passes a utilityProcess-backed port). */
  spawnWorker?: () => WorkerPort;
  shell?: ShellIntegration;
  log?: (line: string) => void;
  /**
   * Queue a naming job at start for libraries with groups due for a name (a naming stopped when the app quit, or the
   * first start after an upgrade): for the app, which stays up to finish it; not for a CLI command, which would stop
   * it half-way at every run.
   */
  nameDueGroupsAtStart?: boolean;
}

/** The contract's implementation plus what transports need around it. */
export interface Service extends Api {
  on: ApiClient['on'];
  /** Thumbnails and previews by photo id, for `/thumb/<id>` (browser mode) and the `thumb:` protocol (Electron). */
  media: MediaSource;
  /** Stops jobs (recorded as interrupted), the ML worker and the database. */
  close(): Promise<void>;
}

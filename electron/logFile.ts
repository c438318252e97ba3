/**
 * The desktop app's log: lines from the main process, the service and the ML worker, appended to one file in the data
 * folder (Help → Show Log File) and echoed to stderr. The previous run's log is kept as `.1` when it grew large.
 */
import fs from 'node:fs';
import path from 'node:path';

const ROTATE_BYTES = 5 * 1024 * 1024;

export interface LogFile {
  readonly file: string;
  write(line: string): void;
  close(): void;
}

export function openLogFile(file: string, echo: (line: string) => void = (l) => process.stderr.write(l)): LogFile {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const size = fs.statSync(file, { throwIfNoEntry: false })?.size ?? 0;
  if (size > ROTATE_BYTES) fs.renameSync(file, `${file}.1`);
  const stream = fs.createWriteStream(file, { flags: 'a' });
  // A full disk must not take the app down with it: the log is best effort.
  stream.on('error', () => {});
  return {
    file,
    write(line) {
      const text = `${new Date().toISOString()} ${line}\n`;
      stream.write(text);
      echo(text);
    },
    close() {
      stream.end();
    },
  };
}

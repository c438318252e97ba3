import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openLogFile } from './logFile.js';

const closed = (log: { close(): void }, file: string) =>
  new Promise<void>((resolve) => {
    log.close();
    const wait = () => (fs.existsSync(file) ? setTimeout(resolve, 20) : setTimeout(wait, 10));
    wait();
  });

describe('openLogFile', () => {
  it('appends timestamped lines, echoes them, and keeps a large previous log as .1', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pc-log-'));
    const file = path.join(dir, 'logs', 'desktop.log');
    const echoed: string[] = [];
    const first = openLogFile(file, (l) => echoed.push(l));
    first.write('hello');
    await closed(first, file);
    expect(fs.readFileSync(file, 'utf8')).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z hello\n$/);
    expect(echoed).toHaveLength(1);

    fs.appendFileSync(file, 'x'.repeat(6 * 1024 * 1024));
    const second = openLogFile(file, () => {});
    second.write('after rotation');
    await closed(second, file);
    expect(fs.statSync(`${file}.1`).size).toBeGreaterThan(6 * 1024 * 1024);
    expect(fs.readFileSync(file, 'utf8')).toMatch(/after rotation\n$/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

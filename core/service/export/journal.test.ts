import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from '../../../test/exportFixtures.js';
import { Journal, lastRecordPerFile, readJournal } from './journal.js';

const tempDir = useTempDirs();

describe('journal', () => {
  it('survives a torn last line: it is ignored and the next record starts on its own line', async () => {
    const file = path.join(tempDir('journal'), 'x.jsonl');
    fs.writeFileSync(file, '{"t":"start","at":"2024-01-01T00:00:00.000Z"}\n{"t":"link","i":0,"path":"/d/a.j');

    expect(await readJournal(file)).toEqual([{ t: 'start', at: '2024-01-01T00:00:00.000Z' }]);
    const journal = await Journal.open(file);
    journal.append({ t: 'done', i: 0, path: '/d/a.jpg', sha256: 'ab', size: 3 });
    journal.append({ t: 'fail', i: 1, reason: 'gone' }, true);
    journal.close();

    const records = await readJournal(file);
    expect(records.map((r) => r.t)).toEqual(['start', 'done', 'fail']);
    expect([...lastRecordPerFile(records).entries()]).toEqual([
      [0, { t: 'done', i: 0, path: '/d/a.jpg', sha256: 'ab', size: 3 }],
      [1, { t: 'fail', i: 1, reason: 'gone' }],
    ]);
  });

  it('reads a missing journal as empty', async () => {
    expect(await readJournal(path.join(tempDir('journal'), 'none.jsonl'))).toEqual([]);
  });
});

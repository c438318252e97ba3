/**
 * SQL has one home: the repositories in core/store. Everywhere else in core calls them, so a table's queries, row
 * types and cached statements are found in one place. The check is textual (as `git grep` would be), so a RegExp's
 * `exec` counts too: use `String.prototype.match` outside the store.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const STORE_DIR = import.meta.dirname;
const CORE_DIR = path.dirname(STORE_DIR);

function sqlCalls(code: string): string[] {
  return code.split('\n').filter((line) => /\.(?:prepare|exec)\(/.test(line));
}

function sourceFiles(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => /\.(?:[cm]?[jt]s|tsx)$/.test(f) && !f.split(path.sep).includes('node_modules'))
    .map((f) => path.join(dir, f));
}

describe('the SQL boundary', () => {
  it('finds prepared statements and exec calls', () => {
    expect(sqlCalls("db.prepare('SELECT 1').get();\nconst m = re.exec(s);\ndb\n  .prepare(`x`)")).toHaveLength(3);
    expect(sqlCalls("s.match(/x/);\nprepareFeatures(x);\nexecute(y);")).toEqual([]);
  });

  it('keeps SQL in core/store', () => {
    const offenders = sourceFiles(CORE_DIR)
      .filter((f) => !f.startsWith(STORE_DIR + path.sep))
      .flatMap((f) => sqlCalls(fs.readFileSync(f, 'utf8')).map((line) => `${path.relative(CORE_DIR, f)}: ${line.trim()}`));
    expect(offenders).toEqual([]);
  });
});

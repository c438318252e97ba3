import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/tmp.js';
import { openDatabase } from './db.js';
import { column, stmt } from './statements.js';

describe('cached statements', () => {
  it('prepares each text once per connection, and keeps plucked statements apart from row statements', () => {
    const db = openDatabase(path.join(tempDir(), 'pc.db'));
    const sql = 'SELECT 1 AS one';
    expect(stmt(db, sql)).toBe(stmt(db, sql));
    expect(column(db, sql)).toBe(column(db, sql));
    expect(column(db, sql).get()).toBe(1);
    expect(stmt(db, sql).get()).toEqual({ one: 1 });
    const other = openDatabase(path.join(tempDir(), 'pc.db'));
    expect(stmt(other, sql)).not.toBe(stmt(db, sql));
    db.close();
    other.close();
  });
});

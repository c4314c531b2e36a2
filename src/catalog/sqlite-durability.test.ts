import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { withoutWaitingForDisk } from './sqlite-durability.js';

const level = (db: Database.Database): number =>
  db.pragma('synchronous', { simple: true }) as number;

describe('withoutWaitingForDisk', () => {
  it('commits with synchronous=NORMAL and puts FULL back, also when the write throws', () => {
    const db = new Database(':memory:');
    db.pragma('synchronous = FULL');
    db.exec('CREATE TABLE t (n INTEGER)');
    const seen = withoutWaitingForDisk(db, () => {
      db.prepare('INSERT INTO t VALUES (1)').run();
      return level(db);
    });
    assert.equal(seen, 1);
    assert.equal(level(db), 2);
    assert.throws(() =>
      withoutWaitingForDisk(db, () => {
        throw new Error('boom');
      }),
    );
    assert.equal(level(db), 2);
    assert.deepEqual(db.prepare('SELECT COUNT(*) AS c FROM t').get(), { c: 1 });
    db.close();
  });
});

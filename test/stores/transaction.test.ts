import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inTransaction } from '../../src/stores/sqlite/transaction.ts';

describe('inTransaction', () => {
  let db: DatabaseSync;
  const values = () => db.prepare('SELECT v FROM t ORDER BY v').all().map((row) => row.v);
  beforeEach(() => {
    db = new DatabaseSync(':memory:');
    db.exec('CREATE TABLE t (v INTEGER)');
  });
  afterEach(() => db.close());

  it('commits the work and returns its result', () => {
    expect(inTransaction(db, () => db.prepare('INSERT INTO t VALUES (1)').run().changes)).toBe(1);
    expect(db.isTransaction).toBe(false);
    expect(values()).toEqual([1]);
  });

  it('rolls back everything the work did before it threw', () => {
    expect(() =>
      inTransaction(db, () => {
        db.exec('INSERT INTO t VALUES (1)');
        throw new Error('half way');
      }),
    ).toThrow('half way');
    expect(db.isTransaction).toBe(false);
    expect(values()).toEqual([]);
  });

  it('joins an enclosing transaction, so an inner failure undoes the outer work too', () => {
    expect(() =>
      inTransaction(db, () => {
        db.exec('INSERT INTO t VALUES (1)');
        inTransaction(db, () => {
          db.exec('INSERT INTO t VALUES (2)');
          throw new Error('inner');
        });
      }),
    ).toThrow('inner');
    expect(values()).toEqual([]);
  });

  it('refuses asynchronous work and rolls it back', async () => {
    const work = async () => {
      db.exec('INSERT INTO t VALUES (1)');
    };
    expect(() => inTransaction(db, work as unknown as () => void)).toThrow(
      expect.objectContaining({ code: 'async_transaction' }),
    );
    expect(values()).toEqual([]);
  });
});

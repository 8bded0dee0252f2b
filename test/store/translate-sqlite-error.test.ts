import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ImagefleetError } from '../../src/core/errors.js';
import { translateSqliteError, withTranslatedErrors } from '../../src/store/database/translate-sqlite-error.js';
import { makeTemporaryDirectory } from './store-test-helpers.js';
import { thrownBy } from '../support/thrown-by.js';

let directory: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ directory, cleanup } = await makeTemporaryDirectory());
});
afterEach(async () => {
  await cleanup();
});


/** An error shaped like the driver's (`code` on an Error), for conditions a test cannot cause safely. */
function errorWithCode(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('translateSqliteError', () => {
  it('maps a real unique-constraint violation to conflict', () => {
    const sqlite = new BetterSqlite3(path.join(directory, 'unique.db'));
    try {
      sqlite.exec('CREATE TABLE things (name TEXT UNIQUE)');
      sqlite.exec(`INSERT INTO things VALUES ('a')`);
      const error = translateSqliteError(thrownBy(() => sqlite.exec(`INSERT INTO things VALUES ('a')`)), 'add a thing');
      expect(error.code).toBe('conflict');
      expect(error.message).toMatch(/^Could not add a thing: /);
      expect(error.cause).toBeDefined();
    } finally {
      sqlite.close();
    }
  });

  it('maps a real SQLITE_BUSY (another connection holds the write lock) to storage_unavailable', () => {
    const filePath = path.join(directory, 'busy.db');
    const holder = new BetterSqlite3(filePath);
    const waiter = new BetterSqlite3(filePath, { timeout: 0 });
    try {
      holder.pragma('journal_mode = WAL');
      holder.exec('CREATE TABLE things (name TEXT)');
      holder.exec('BEGIN IMMEDIATE');
      const raw = thrownBy(() => waiter.exec(`INSERT INTO things VALUES ('b')`));
      expect((raw as { code?: string }).code).toMatch(/^SQLITE_BUSY/);
      const error = translateSqliteError(raw, 'add a thing');
      expect(error.code).toBe('storage_unavailable');
      expect(error.message).toMatch(/locked by another process/);
    } finally {
      holder.exec('ROLLBACK');
      waiter.close();
      holder.close();
    }
  });

  it('maps a real read-only database to storage_unavailable', () => {
    const filePath = path.join(directory, 'read-only.db');
    new BetterSqlite3(filePath).exec('CREATE TABLE things (name TEXT)');
    const sqlite = new BetterSqlite3(filePath, { readonly: true });
    try {
      const error = translateSqliteError(thrownBy(() => sqlite.exec(`INSERT INTO things VALUES ('c')`)), 'add a thing');
      expect(error.code).toBe('storage_unavailable');
      expect(error.message).toMatch(/read-only/);
    } finally {
      sqlite.close();
    }
  });

  it('maps a real SQLITE_FULL (database at its page limit) to storage_unavailable', () => {
    const sqlite = new BetterSqlite3(path.join(directory, 'full.db'));
    try {
      sqlite.exec('CREATE TABLE things (name TEXT)');
      sqlite.pragma('max_page_count = 8');
      const insert = sqlite.prepare('INSERT INTO things VALUES (?)');
      const raw = thrownBy(() => {
        for (let index = 0; index < 1000; index += 1) insert.run('x'.repeat(1000));
      });
      expect((raw as { code?: string }).code).toBe('SQLITE_FULL');
      const error = translateSqliteError(raw, 'add a thing');
      expect(error.code).toBe('storage_unavailable');
      expect(error.message).toBe('Could not add a thing: the disk is full; free space in the data directory and try again.');
    } finally {
      sqlite.close();
    }
  });

  it.each([
    ['ENOSPC', /disk is full/],
    ['SQLITE_CANTOPEN', /cannot be opened/],
    ['SQLITE_CORRUPT', /corrupt/],
    ['SQLITE_NOTADB', /corrupt or is not a database/],
    ['SQLITE_IOERR_FSYNC', /I\/O error/],
  ])('maps %s to storage_unavailable', (code, message) => {
    const error = translateSqliteError(errorWithCode(code, 'driver text'), 'save the task');
    expect(error.code).toBe('storage_unavailable');
    expect(error.message).toMatch(message);
  });

  it('maps anything else to internal and keeps ImagefleetErrors as they are', () => {
    expect(translateSqliteError(errorWithCode('SQLITE_ERROR', 'no such column: x'), 'read').code).toBe('internal');
    expect(translateSqliteError(new TypeError('oops'), 'read').code).toBe('internal');
    const original = new ImagefleetError('not_found', 'Job j1 does not exist.');
    expect(translateSqliteError(original, 'read')).toBe(original);
  });

  it('withTranslatedErrors passes results through and translates failures', async () => {
    expect(await withTranslatedErrors('read', () => Promise.resolve(7))).toBe(7);
    await expect(withTranslatedErrors('write', () => Promise.reject(errorWithCode('SQLITE_FULL', 'full')))).rejects.toMatchObject({ code: 'storage_unavailable' });
  });
});

import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readdir, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isImagefleetError, type ImagefleetError } from '../../src/core/errors.js';
import { migrateToLatest, migrations } from '../../src/store/database/migrate.js';
import { openDatabase } from '../../src/store/database/open-database.js';
import { makeTemporaryDirectory } from './store-test-helpers.js';

let directory: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ directory, cleanup } = await makeTemporaryDirectory());
});
afterEach(async () => {
  await cleanup();
});

async function openFailure(filePath: string): Promise<ImagefleetError> {
  const error: unknown = await openDatabase({ filePath }).then(
    async (database) => {
      await database.close();
      return undefined;
    },
    (thrown: unknown) => thrown,
  );
  if (!isImagefleetError(error)) throw new Error(`expected an ImagefleetError, got ${String(error)}`);
  return error;
}

/** The message names `namedPath` and is one line with exactly one sentence (paths themselves may contain dots). */
function expectOneSentenceNaming(error: ImagefleetError, namedPath: string): void {
  expect(error.code).toBe('storage_unavailable');
  expect(error.message).toContain(namedPath);
  const withoutPaths = error.message.replaceAll(namedPath, 'PATH').replaceAll(directory, 'DIR');
  expect(withoutPaths).not.toContain('\n');
  expect(withoutPaths).toMatch(/^[^.!?]+\.$/);
}

describe('openDatabase', () => {
  it('creates the schema, turns WAL and the pragmas on', async () => {
    const filePath = path.join(directory, 'imagefleet.db');
    const database = await openDatabase({ filePath });
    try {
      expect(database.filePath).toBe(filePath);
      expect(database.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(database.sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(database.sqlite.pragma('busy_timeout', { simple: true })).toBe(5000);
      expect(database.sqlite.pragma('synchronous', { simple: true })).toBe(1); // NORMAL

      const tables = database.sqlite
        .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
        .all()
        .map((row) => (row as { name: string }).name);
      expect(tables).toEqual(expect.arrayContaining(['groups', 'assets', 'jobs', 'tasks', 'images', 'provider_state', 'request_log', 'events']));
      const applied = database.sqlite.prepare('SELECT name FROM kysely_migration').all();
      expect(applied).toEqual(Object.keys(migrations).map((name) => ({ name })));

      // A write goes to the WAL file, not the main file.
      await database.db.insertInto('groups').values({ id: 'g', name: 'G', created_at_ms: 1, updated_at_ms: 1 }).execute();
      expect((await stat(`${filePath}-wal`)).size).toBeGreaterThan(0);
    } finally {
      await database.close();
    }
  });

  it('is idempotent on reopen: no migration runs twice and data survives', async () => {
    const filePath = path.join(directory, 'imagefleet.db');
    const first = await openDatabase({ filePath });
    await first.db.insertInto('groups').values({ id: 'g', name: 'Kept', created_at_ms: 1, updated_at_ms: 1 }).execute();
    await first.close();
    await first.close(); // closing twice is harmless

    const second = await openDatabase({ filePath });
    try {
      expect(await migrateToLatest(second.db, filePath)).toEqual([]);
      expect(second.sqlite.prepare('SELECT count(*) AS count FROM kysely_migration').get()).toEqual({ count: Object.keys(migrations).length });
      const groups = await second.db.selectFrom('groups').select('name').execute();
      expect(groups).toEqual([{ name: 'Kept' }]);
    } finally {
      await second.close();
    }
  });

  it('refuses a file of random bytes with one sentence naming the path', async () => {
    const filePath = path.join(directory, 'imagefleet.db');
    await writeFile(filePath, randomBytes(8192));
    const error = await openFailure(filePath);
    expectOneSentenceNaming(error, filePath);
    expect(error.message).toMatch(/not an imagefleet database or is corrupt/);
  });

  it('refuses an existing empty (0-byte) database instead of silently starting a new one', async () => {
    const filePath = path.join(directory, 'imagefleet.db');
    await writeFile(filePath, '');
    const anHourAgo = new Date(Date.now() - 60 * 60 * 1000);
    await utimes(filePath, anHourAgo, anHourAgo);
    const error = await openFailure(filePath);
    expectOneSentenceNaming(error, filePath);
    expect(error.message).toContain('empty (0 bytes)');
    expect(error.message).toContain('backup');
    expect((await stat(filePath)).size).toBe(0);
  });

  it('takes an empty file created a moment ago (another process starting on a fresh data directory)', async () => {
    const filePath = path.join(directory, 'imagefleet.db');
    await writeFile(filePath, '');
    const database = await openDatabase({ filePath });
    await database.close();
    expect((await stat(filePath)).size).toBeGreaterThan(0);
  });

  it('detects damaged pages in a real database with quick_check', async () => {
    const filePath = path.join(directory, 'imagefleet.db');
    const database = await openDatabase({ filePath });
    const rows = Array.from({ length: 3000 }, (_unused, index) => ({
      type: 'test',
      job_id: `job-${index}`,
      task_id: null,
      payload_json: JSON.stringify({ index, filler: 'x'.repeat(50) }),
      created_at_ms: index,
    }));
    for (let start = 0; start < rows.length; start += 500) {
      await database.db.insertInto('events').values(rows.slice(start, start + 500)).execute();
    }
    await database.close(); // checkpoints the WAL into the main file
    const pageSize = 4096;
    const { size } = await stat(filePath);
    expect(size).toBeGreaterThan(pageSize * 20);
    const handle = await open(filePath, 'r+');
    await handle.write(randomBytes(pageSize * 8), 0, pageSize * 8, size - pageSize * 10);
    await handle.close();

    const error = await openFailure(filePath);
    expectOneSentenceNaming(error, filePath);
    expect(error.message).toMatch(/corrupt/);
  });

  it('says when the directory does not exist', async () => {
    const filePath = path.join(directory, 'missing', 'imagefleet.db');
    const error = await openFailure(filePath);
    expectOneSentenceNaming(error, filePath);
    expect(error.message).toContain(`${path.join(directory, 'missing')} does not exist`);
  });

  it('says when a part of the path is a file', async () => {
    await writeFile(path.join(directory, 'plain-file'), 'x');
    const filePath = path.join(directory, 'plain-file', 'imagefleet.db');
    const error = await openFailure(filePath);
    expectOneSentenceNaming(error, filePath);
    expect(error.message).toMatch(/is a file, not a directory/);
  });

  it('says when the database path is a directory', async () => {
    const filePath = path.join(directory, 'imagefleet.db');
    await mkdir(filePath);
    const error = await openFailure(filePath);
    expectOneSentenceNaming(error, filePath);
    expect(error.message).toMatch(/not a regular file/);
  });

  // root bypasses permission bits, so this can only be checked as an ordinary user.
  it.skipIf(process.getuid?.() === 0)('says when the directory is not writable', async () => {
    const readOnlyDirectory = path.join(directory, 'read-only');
    await mkdir(readOnlyDirectory);
    await chmod(readOnlyDirectory, 0o555);
    try {
      const filePath = path.join(readOnlyDirectory, 'imagefleet.db');
      const error = await openFailure(filePath);
      expectOneSentenceNaming(error, filePath);
      expect(error.message).toMatch(/not writable/);
    } finally {
      await chmod(readOnlyDirectory, 0o755);
    }
  });

  it('refuses a database migrated by a newer version', async () => {
    const filePath = path.join(directory, 'imagefleet.db');
    const database = await openDatabase({ filePath });
    database.sqlite.prepare('INSERT INTO kysely_migration (name, timestamp) VALUES (?, ?)').run('0002-from-the-future', new Date().toISOString());
    await database.close();

    const error = await openFailure(filePath);
    expectOneSentenceNaming(error, filePath);
    expect(error.message).toMatch(/newer version of imagefleet/);
    expect(error.message).toContain('0002-from-the-future');
  });

  it('migrates once when several processes open a fresh file at the same moment', async () => {
    // A web server and a worker often start together on the same data directory.
    const filePath = path.join(directory, 'imagefleet.db');
    const openDatabaseModule = fileURLToPath(new URL('../../src/store/database/open-database.ts', import.meta.url));
    const script = path.join(directory, 'open-once.ts');
    await writeFile(
      script,
      [
        `import { openDatabase } from ${JSON.stringify(openDatabaseModule)};`,
        'async function main(): Promise<void> {',
        '  const database = await openDatabase({ filePath: process.argv[2] ?? "" });',
        '  process.stdout.write(JSON.stringify(database.sqlite.prepare("SELECT name FROM kysely_migration").all()));',
        '  await database.close();',
        '}',
        'void main();',
      ].join('\n'),
    );
    const run = promisify(execFile);
    const outputs = await Promise.all(Array.from({ length: 4 }, () => run(process.execPath, ['--import', 'tsx', script, filePath])));
    for (const output of outputs) expect(JSON.parse(output.stdout)).toEqual(Object.keys(migrations).map((name) => ({ name })));
  });

  it('leaves nothing open after a failed open (the file can be replaced and reopened)', async () => {
    const filePath = path.join(directory, 'imagefleet.db');
    await writeFile(filePath, randomBytes(8192));
    await openFailure(filePath);
    await writeFile(filePath, '');
    const database = await openDatabase({ filePath });
    await database.close();
    expect((await readdir(directory)).filter((name) => name.startsWith('imagefleet.db'))).toContain('imagefleet.db');
  });
});

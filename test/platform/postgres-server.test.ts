/**
 * The throwaway PostgreSQL server the store contract suite will run on (issue 17): it starts on a
 * free loopback port, takes connections, makes databases, and leaves nothing behind.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { postgresBinDirectory, startPostgresServer } from '../support/postgres-server.js';

const execFileAsync = promisify(execFile);
const binDirectory = postgresBinDirectory();

describe('throwaway PostgreSQL server', () => {
  it.skipIf(binDirectory === undefined && process.env.CI === undefined)('starts, serves a new database over loopback TCP, and is removed on stop (skipped outside CI when PostgreSQL is not installed; .ci/run installs it)', async () => {
    const server = await startPostgresServer();
    try {
      const databaseUrl = await server.createDatabase('contract_1');
      const psql = path.join(binDirectory ?? '', 'psql');
      const { stdout } = await execFileAsync(existsSync(psql) ? psql : 'psql', [databaseUrl, '-At', '-c', 'SELECT current_database(), 6 * 7']);
      expect(stdout.trim()).toBe('contract_1|42');
    } finally {
      await server.stop();
    }
    await expect(execFileAsync('psql', [server.url, '-At', '-c', 'SELECT 1'])).rejects.toThrow();
  }, 60_000);
});

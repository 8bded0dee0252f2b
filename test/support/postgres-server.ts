/**
 * A throwaway PostgreSQL server for tests: `initdb` into a fresh temp directory, `pg_ctl start` on
 * a free loopback port, trust authentication for the `postgres` user, removed on `stop()`. No
 * Docker: Debian's `postgresql` package (installed by `.ci/run`). PostgreSQL refuses to run as
 * root, so as root the cluster is created and run as the `postgres` system user (`runuser`).
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { appendFile, chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface PostgresServer {
  /** `postgres://postgres@127.0.0.1:{port}/postgres`. */
  url: string;
  port: number;
  /** Makes an empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server at once and removes its directory. Idempotent. */
  stop(): Promise<void>;
}

/** Where the server binaries are: `IMAGEFLEET_POSTGRES_BIN`, else the newest `/usr/lib/postgresql/N/bin`. */
export function postgresBinDirectory(): string | undefined {
  const configured = process.env.IMAGEFLEET_POSTGRES_BIN;
  if (configured) return existsSync(path.join(configured, 'pg_ctl')) ? configured : undefined;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((name) => /^\d+$/.test(name))
    .sort((left, right) => Number(right) - Number(left));
  for (const version of versions) {
    const directory = path.join(root, version, 'bin');
    if (existsSync(path.join(directory, 'pg_ctl'))) return directory;
  }
  return undefined;
}

async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface PostgresServerOptions {
  /**
   * Addresses to listen on besides 127.0.0.1 (e.g. a test network's bridge address, so processes in
   * other network namespaces reach the server); clients on those addresses' subnets are trusted.
   * Default none.
   */
  extraListenAddresses?: string[];
}

/** Starts a server; throws with the tool's output when a step fails. */
export async function startPostgresServer(serverOptions: PostgresServerOptions = {}): Promise<PostgresServer> {
  const extraListenAddresses = serverOptions.extraListenAddresses ?? [];
  const binDirectory = postgresBinDirectory();
  if (!binDirectory) throw new Error('PostgreSQL server binaries not found: install Debian\'s "postgresql" package or set IMAGEFLEET_POSTGRES_BIN.');
  const asRoot = userInfo().uid === 0;
  const run = async (tool: string, args: string[]): Promise<string> => {
    const command = asRoot ? 'runuser' : path.join(binDirectory, tool);
    const commandArgs = asRoot ? ['-u', 'postgres', '--', path.join(binDirectory, tool), ...args] : args;
    try {
      const { stdout } = await execFileAsync(command, commandArgs, { timeout: 60_000 });
      return stdout;
    } catch (error) {
      const failure = error as { stdout?: string; stderr?: string; message: string };
      throw new Error(`${tool} ${args.join(' ')} failed: ${failure.stderr || failure.stdout || failure.message}`);
    }
  };

  const directory = await mkdtemp(path.join(tmpdir(), 'imagefleet-postgres-'));
  if (asRoot) {
    const { stdout } = await execFileAsync('id', ['-u', 'postgres']);
    const { stdout: group } = await execFileAsync('id', ['-g', 'postgres']);
    await chown(directory, Number(stdout.trim()), Number(group.trim()));
  }
  const dataDirectory = path.join(directory, 'data');
  const port = await freeLoopbackPort();
  let started = false;
  const stop = async (): Promise<void> => {
    if (started) {
      started = false;
      await run('pg_ctl', ['-D', dataDirectory, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
    }
    await rm(directory, { recursive: true, force: true });
  };
  try {
    await run('initdb', ['-D', dataDirectory, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C.UTF-8', '--no-sync']);
    // initdb trusts loopback only; `samenet` also lets in the extra addresses' subnets.
    if (extraListenAddresses.length > 0) await appendFile(path.join(dataDirectory, 'pg_hba.conf'), 'host all all samenet trust\n');
    // fsync off: a test cluster is thrown away, and durability of the database is PostgreSQL's
    // to prove, not ours; the socket goes to the temp directory, not /var/run.
    const options = `-p ${port} -k ${directory} -c listen_addresses=${['127.0.0.1', ...extraListenAddresses].join(',')} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
    await run('pg_ctl', ['-D', dataDirectory, '-o', options, '-l', path.join(directory, 'server.log'), '-w', '-t', '60', 'start']);
    started = true;
  } catch (error) {
    await stop();
    throw error;
  }
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  return {
    url,
    port,
    async createDatabase(name) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`Database name "${name}": use lower-case letters, digits and _.`);
      await run('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', name]);
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    stop,
  };
}

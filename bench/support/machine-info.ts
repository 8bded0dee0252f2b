import { readFile } from 'node:fs/promises';
import { arch, availableParallelism, cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import BetterSqlite3 from 'better-sqlite3';
import sharp from 'sharp';

export interface MachineInfo {
  /** `model name` of the first processor in /proc/cpuinfo (what the hypervisor exposes on a VM). */
  cpuModel: string;
  /** Logical processors the OS reports. */
  logicalCores: number;
  /** Processors this process may use (cgroup/affinity limits). */
  availableCores: number;
  memoryGiB: number;
  /** 1, 5 and 15-minute load averages before the first scenario started. */
  loadAverageBefore: [number, number, number];
  operatingSystem: string;
  kernel: string;
  nodeVersion: string;
  sqliteVersion: string;
  betterSqliteVersion: string;
  libvipsVersion: string;
  /** The temp directory the scenarios' data directories live in, and its file system. */
  temporaryDirectory: string;
  temporaryFileSystem: string;
}

/** Describes the machine the benchmarks run on, read before any scenario starts (for the load average). */
export async function readMachineInfo(): Promise<MachineInfo> {
  const [one, five, fifteen] = loadavg();
  const cpuInfo = await readFile('/proc/cpuinfo', 'utf8').catch(() => '');
  const cpuModel = /^model name\s*:\s*(.+)$/m.exec(cpuInfo)?.[1]?.trim() ?? cpus()[0]?.model ?? 'unknown';
  const osRelease = await readFile('/etc/os-release', 'utf8').catch(() => '');
  const operatingSystem = /^PRETTY_NAME="?([^"\n]+)"?$/m.exec(osRelease)?.[1] ?? process.platform;
  const database = new BetterSqlite3(':memory:');
  const sqliteVersion = database.prepare('SELECT sqlite_version()').pluck().get() as string;
  database.close();
  const betterSqlitePackage = JSON.parse(await readFile(new URL('../../node_modules/better-sqlite3/package.json', import.meta.url), 'utf8').catch(() => '{}')) as { version?: string };
  return {
    cpuModel,
    logicalCores: cpus().length,
    availableCores: availableParallelism(),
    memoryGiB: totalmem() / 1024 ** 3,
    loadAverageBefore: [one ?? 0, five ?? 0, fifteen ?? 0],
    operatingSystem,
    kernel: `${process.platform} ${release()} ${arch()}`,
    nodeVersion: process.version,
    sqliteVersion,
    betterSqliteVersion: betterSqlitePackage.version ?? 'unknown',
    libvipsVersion: sharp.versions.vips,
    temporaryDirectory: tmpdir(),
    temporaryFileSystem: await fileSystemOf(tmpdir()),
  };
}

/** The type of the mount that holds `directory` (longest mount point that prefixes it), from /proc/mounts. */
async function fileSystemOf(directory: string): Promise<string> {
  const mounts = await readFile('/proc/mounts', 'utf8').catch(() => '');
  let best = { mountPoint: '', type: 'unknown' };
  for (const line of mounts.split('\n')) {
    const [, mountPoint, type] = line.split(' ');
    if (!mountPoint || !type) continue;
    const covers = directory === mountPoint || directory.startsWith(mountPoint.endsWith('/') ? mountPoint : `${mountPoint}/`);
    if (covers && mountPoint.length >= best.mountPoint.length) best = { mountPoint, type };
  }
  return best.type;
}

/**
 * Separate network hosts on this machine for multi-host tests (issue 17): N Linux network
 * namespaces, each joined by a veth pair to one bridge in the test's own namespace, on a private
 * /24 picked per run (10.231.X.0/24, X unused on this machine). The test's side of the bridge is
 * `.1`, host n is `.(10+n)`; loopback is up inside each. Processes run inside with `ip netns exec`,
 * so a worker in host 2 reaches Postgres, the bucket and the provider fake only over the "network"
 * at `.1`, never over a shared 127.0.0.1.
 *
 * Namespaces need root and `ip` (iproute2). Where either is missing the hosts FALL BACK to plain
 * processes on loopback: `mode` says `loopback` with the reason, and the test must say so in its
 * name and its output — never silently (docs/decisions/0043). Names carry a per-run id, so runs in
 * parallel do not clash; `stop()` removes everything this run created, also after a failed start.
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Where `ip` lives on Debian (and most distributions). */
const ipCandidates = ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'];

export interface NetworkHost {
  /** `host-1`, `host-2`, … */
  name: string;
  /** This host's address, as other hosts and the test reach it (`127.0.0.1` on loopback). */
  address: string;
  /** The namespace the host is, or undefined on loopback. */
  namespace: string | undefined;
  /** The command line that runs `command args` inside this host (unchanged on loopback). */
  commandLine(command: string, args: readonly string[]): { command: string; args: string[] };
}

export interface NetworkHosts {
  /** `netns`: real separate network stacks; `loopback`: plain processes sharing 127.0.0.1. */
  mode: 'netns' | 'loopback';
  /** Why the hosts fell back to loopback; undefined in `netns` mode. */
  fallbackReason: string | undefined;
  /** Address of the test's own side, where shared services (database, bucket, fakes) listen. */
  serviceAddress: string;
  /** The subnet, e.g. `10.231.57.0/24` (undefined on loopback). */
  subnet: string | undefined;
  hosts: NetworkHost[];
  /** Removes the namespaces, veths and bridge. Idempotent; never throws. */
  stop(): Promise<void>;
}

export interface NetworkHostsOptions {
  /** Force the loopback fallback (to exercise it); default false. */
  forceLoopback?: boolean;
}

function ipPath(): string | undefined {
  return ipCandidates.find((candidate) => existsSync(candidate));
}

/** Set to `loopback` to run multi-host tests on loopback even where namespaces work (to try the fallback). */
export const forceLoopbackVariable = 'IMAGEFLEET_TEST_NETWORK';

/** Why namespaces cannot (or must not) be used here, or undefined when they can. */
export function netnsUnavailableReason(): string | undefined {
  if (process.env[forceLoopbackVariable] === 'loopback') return `${forceLoopbackVariable}=loopback asked for it`;
  if (process.platform !== 'linux') return `network namespaces are Linux-only (this is ${process.platform})`;
  if (userInfo().uid !== 0) return 'creating network namespaces needs root (the tests are not running as root)';
  const ipCommand = ipPath();
  if (ipCommand === undefined) return 'the "ip" command (iproute2) is not installed';
  // Root in a container may still lack CAP_NET_ADMIN: try once (a few ms) and remember the answer.
  probedReason ??= probeNamespaces(ipCommand);
  return probedReason.reason;
}

let probedReason: { reason: string | undefined } | undefined;

function probeNamespaces(ipCommand: string): { reason: string | undefined } {
  const probe = `imagefleet-probe-${process.pid}-${randomBytes(3).toString('hex')}`;
  try {
    execFileSync(ipCommand, ['netns', 'add', probe], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });
  } catch (error) {
    const output = (error as { stderr?: Buffer | string }).stderr;
    const stderr = (typeof output === 'string' ? output : (output?.toString('utf8') ?? '')).trim();
    return { reason: `creating a network namespace failed (${stderr || (error as Error).message})` };
  }
  try {
    execFileSync(ipCommand, ['netns', 'delete', probe], { stdio: 'ignore', timeout: 10_000 });
  } catch {
    // A leftover empty probe namespace is harmless; its name says what it was.
  }
  return { reason: undefined };
}

async function ip(ipCommand: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await execFileAsync(ipCommand, args, { timeout: 15_000 });
    return stdout;
  } catch (error) {
    const failure = error as { stderr?: string; message: string };
    throw new Error(`ip ${args.join(' ')} failed: ${(failure.stderr || failure.message).trim()}`);
  }
}

/** A third octet X such that 10.231.X.0/24 is not on any interface of this machine. */
async function unusedSubnetOctet(ipCommand: string): Promise<number> {
  const addresses = await ip(ipCommand, ['-o', '-4', 'addr', 'show']);
  for (let tries = 0; tries < 64; tries += 1) {
    const octet = randomBytes(1)[0]!;
    if (!addresses.includes(`10.231.${octet}.`)) return octet;
  }
  throw new Error('No unused 10.231.X.0/24 subnet found for the test network.');
}

function loopbackHosts(count: number, reason: string): NetworkHosts {
  return {
    mode: 'loopback',
    fallbackReason: reason,
    serviceAddress: '127.0.0.1',
    subnet: undefined,
    hosts: Array.from({ length: count }, (_unused, index) => ({
      name: `host-${index + 1}`,
      address: '127.0.0.1',
      namespace: undefined,
      commandLine: (command, args) => ({ command, args: [...args] }),
    })),
    stop: () => Promise.resolve(),
  };
}

/**
 * Creates `count` hosts (namespaces when possible, else loopback with the reason). A failure while
 * creating them removes what was made and throws.
 */
export async function startNetworkHosts(count: number, options: NetworkHostsOptions = {}): Promise<NetworkHosts> {
  const reason = options.forceLoopback ? 'loopback was asked for' : netnsUnavailableReason();
  if (reason !== undefined) return loopbackHosts(count, reason);
  const ipCommand = ipPath()!;

  // Interface names are at most 15 bytes: "imfb"/"imfv" + 6 hex + suffix.
  const runId = randomBytes(3).toString('hex');
  const bridge = `imfb${runId}`;
  const namespaces: string[] = [];
  const hostVeths: string[] = [];
  let bridgeCreated = false;
  const stop = async (): Promise<void> => {
    for (const namespace of namespaces.splice(0)) {
      // Whatever still runs inside is this run's (the test started it): end it, or the namespace lingers.
      const pids = await ip(ipCommand, ['netns', 'pids', namespace]).catch(() => '');
      for (const pid of pids.split(/\s+/).filter(Boolean)) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await ip(ipCommand, ['netns', 'delete', namespace]).catch(() => undefined);
    }
    for (const veth of hostVeths.splice(0)) await ip(ipCommand, ['link', 'delete', veth]).catch(() => undefined);
    if (bridgeCreated) {
      bridgeCreated = false;
      await ip(ipCommand, ['link', 'delete', bridge]).catch(() => undefined);
    }
  };

  try {
    const octet = await unusedSubnetOctet(ipCommand);
    const prefix = `10.231.${octet}`;
    await ip(ipCommand, ['link', 'add', bridge, 'type', 'bridge']);
    bridgeCreated = true;
    await ip(ipCommand, ['addr', 'add', `${prefix}.1/24`, 'dev', bridge]);
    await ip(ipCommand, ['link', 'set', bridge, 'up']);
    const hosts: NetworkHost[] = [];
    for (let index = 1; index <= count; index += 1) {
      const namespace = `imagefleet-${runId}-${index}`;
      const hostVeth = `imfv${runId}h${index}`;
      const innerVeth = `imfv${runId}n${index}`;
      await ip(ipCommand, ['netns', 'add', namespace]);
      namespaces.push(namespace);
      await ip(ipCommand, ['link', 'add', hostVeth, 'type', 'veth', 'peer', 'name', innerVeth]);
      hostVeths.push(hostVeth);
      await ip(ipCommand, ['link', 'set', innerVeth, 'netns', namespace]);
      await ip(ipCommand, ['link', 'set', hostVeth, 'master', bridge]);
      await ip(ipCommand, ['link', 'set', hostVeth, 'up']);
      const address = `${prefix}.${10 + index}`;
      await ip(ipCommand, ['-n', namespace, 'link', 'set', 'lo', 'up']);
      await ip(ipCommand, ['-n', namespace, 'addr', 'add', `${address}/24`, 'dev', innerVeth]);
      await ip(ipCommand, ['-n', namespace, 'link', 'set', innerVeth, 'up']);
      hosts.push({
        name: `host-${index}`,
        address,
        namespace,
        commandLine: (command, args) => ({ command: ipCommand, args: ['netns', 'exec', namespace, command, ...args] }),
      });
    }
    return { mode: 'netns', fallbackReason: undefined, serviceAddress: `${prefix}.1`, subnet: `${prefix}.0/24`, hosts, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

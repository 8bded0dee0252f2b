/**
 * The network-host harness itself (test/support/network-hosts.ts): hosts reach the services on the
 * test's side and each other, do NOT reach the test's 127.0.0.1, and leave nothing behind; the
 * loopback fallback says it is one.
 */
import { execFile, spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { netnsUnavailableReason, startNetworkHosts, type NetworkHost } from '../support/network-hosts.js';

const execFileAsync = promisify(execFile);
const fallbackReason = netnsUnavailableReason();
if (fallbackReason !== undefined) console.log(`network-hosts test: namespaces unavailable here (${fallbackReason}); only the loopback fallback is tested.`);

/** Runs a Node one-liner inside `host`; resolves with its standard output. */
async function nodeOn(host: NetworkHost, script: string): Promise<string> {
  const line = host.commandLine(process.execPath, ['-e', script]);
  const child = spawn(line.command, line.args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  await new Promise((resolve) => child.once('close', resolve));
  return output.trim();
}

/** `fetch(url)` from inside a host: `status <code>` or `unreachable`. */
const probeScript = (url: string): string =>
  `fetch(${JSON.stringify(url)}, { signal: AbortSignal.timeout(3000) }).then((r) => console.log('status ' + r.status), () => console.log('unreachable'))`;

async function startServer(address: string): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer((_request, response) => response.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

describe.skipIf(fallbackReason !== undefined)('network hosts on namespaces', () => {
  it('reach the service address and each other, not the test side\'s loopback, and are removed on stop', async () => {
    const hosts = await startNetworkHosts(2);
    let removed = false;
    try {
      expect(hosts.mode).toBe('netns');
      expect(hosts.subnet).toMatch(/^10\.231\.\d+\.0\/24$/);
      const [first, second] = hosts.hosts as [NetworkHost, NetworkHost];
      expect(new Set([hosts.serviceAddress, first.address, second.address]).size).toBe(3);

      const service = await startServer(hosts.serviceAddress);
      const loopbackOnly = await startServer('127.0.0.1');
      try {
        expect(await nodeOn(first, probeScript(`http://${hosts.serviceAddress}:${service.port}/`))).toBe('status 200');
        expect(await nodeOn(first, probeScript(`http://127.0.0.1:${loopbackOnly.port}/`))).toBe('unreachable');
        // Host 2 serves on its own address; host 1 reaches it over the bridge.
        const peerScript = `require('node:http').createServer((q, s) => s.end('peer')).listen(8080, ${JSON.stringify(second.address)}, () => console.log('listening'))`;
        const peerLine = second.commandLine(process.execPath, ['-e', peerScript]);
        const peer = spawn(peerLine.command, peerLine.args, { stdio: ['ignore', 'pipe', 'inherit'] });
        await new Promise((resolve) => peer.stdout.once('data', resolve));
        expect(await nodeOn(first, probeScript(`http://${second.address}:8080/`))).toBe('status 200');
        peer.kill('SIGKILL');
      } finally {
        service.server.close();
        loopbackOnly.server.close();
      }

      const namespaces = hosts.hosts.map((host) => host.namespace!);
      await hosts.stop();
      removed = true;
      const { stdout: remaining } = await execFileAsync('ip', ['netns', 'list']);
      for (const namespace of namespaces) expect(remaining).not.toContain(namespace);
      const { stdout: links } = await execFileAsync('ip', ['-o', 'link', 'show']);
      const runId = namespaces[0]!.split('-')[1]!;
      expect(links).not.toContain(runId);
    } finally {
      if (!removed) await hosts.stop();
    }
  });
});

describe('network hosts falling back to loopback', () => {
  it('say they are on loopback, and why', async () => {
    const hosts = await startNetworkHosts(2, { forceLoopback: true });
    expect(hosts).toMatchObject({ mode: 'loopback', fallbackReason: 'loopback was asked for', serviceAddress: '127.0.0.1', subnet: undefined });
    expect(hosts.hosts.map((host) => host.address)).toEqual(['127.0.0.1', '127.0.0.1']);
    expect(hosts.hosts[0]!.commandLine('node', ['-v'])).toEqual({ command: 'node', args: ['-v'] });
    await hosts.stop();
  });
});

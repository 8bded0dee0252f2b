/**
 * Posts webhooks over node:http(s) under the SSRF rules of `core/webhook-target-policy.ts`:
 * resolves the host itself, refuses if any address is private (unless allowed), then connects to
 * the address it checked — the socket's lookup is pinned to it, so a DNS answer that changes
 * between check and connect (rebinding) cannot redirect the call. Redirects are never followed,
 * the whole exchange has a timeout and at most `maxResponseBytes` of the answer are read.
 */
import { lookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { checkWebhookUrl, hostOf, refusalOfAddress } from '../core/webhook-target-policy.js';
import type { WebhookRequest, WebhookResponse, WebhookSender } from '../engine/ports.js';

export interface HttpWebhookSenderOptions {
  /** Allow loopback, private, link-local and other internal targets (`IMAGEFLEET_WEBHOOK_ALLOW_PRIVATE`). */
  allowPrivateTargets: boolean;
  /** Longest time for one attempt, connect to last byte read, in ms. */
  timeoutMs: number;
  /** Most bytes of a receiver's answer read; the rest is dropped. */
  maxResponseBytes: number;
  /** The `user-agent` header, e.g. `imagefleet-webhooks/1.2.0`. */
  userAgent: string;
  /** Resolves a host name to every address; default `dns.lookup` with `all`. Tests pass a fixed answer. */
  resolveHost?: ((host: string) => Promise<Array<{ address: string; family: number }>>) | undefined;
}

/** Characters of a receiver's answer kept for the delivery list. */
const snippetLength = 200;

export function createHttpWebhookSender(options: HttpWebhookSenderOptions): WebhookSender {
  const resolveHost = options.resolveHost ?? ((host: string) => lookup(host, { all: true, verbatim: true }));
  return {
    async send(request: WebhookRequest, signal: AbortSignal): Promise<WebhookResponse> {
      // The timeout covers the lookup too, so an attempt never outlives its lease (timeout + margin).
      const deadlineMs = Date.now() + options.timeoutMs;
      const checked = checkWebhookUrl(request.url);
      if ('refusal' in checked) return { kind: 'refused', reason: `the URL ${checked.refusal}` };
      const { url } = checked;
      const host = hostOf(url);
      let addresses: Array<{ address: string; family: number }>;
      if (isIP(host) !== 0) {
        addresses = [{ address: host, family: isIP(host) }];
      } else {
        try {
          addresses = await withinMs(resolveHost(host), options.timeoutMs, `DNS lookup of ${host} took longer than ${options.timeoutMs} ms`);
        } catch (error) {
          return { kind: 'unreachable', reason: `DNS lookup of ${host} failed (${(error as NodeJS.ErrnoException).code ?? String(error)})` };
        }
      }
      if (!options.allowPrivateTargets) {
        for (const { address } of addresses) {
          const refusal = refusalOfAddress(address);
          if (refusal !== undefined) {
            return { kind: 'refused', reason: `${host === address ? address : `${host} resolves to ${address}`}, ${refusal}; set IMAGEFLEET_WEBHOOK_ALLOW_PRIVATE=true to allow internal targets` };
          }
        }
      }
      const pinned = addresses[0];
      if (pinned === undefined) return { kind: 'unreachable', reason: `DNS lookup of ${host} returned no address` };
      return post(url, pinned, request, signal, options, Math.max(1, deadlineMs - Date.now()));
    },
  };
}

function withinMs<T>(work: Promise<T>, timeoutMs: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(message), { code: 'ETIMEOUT' })), timeoutMs);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function post(url: URL, pinned: { address: string; family: number }, request: WebhookRequest, signal: AbortSignal, options: HttpWebhookSenderOptions, remainingMs: number): Promise<WebhookResponse> {
  const pinnedLookup = ((_hostname: string, lookupOptions: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (lookupOptions.all) callback(null, [{ address: pinned.address, family: pinned.family }]);
    else callback(null, pinned.address, pinned.family);
  }) as unknown as LookupFunction;
  const client = url.protocol === 'https:' ? https : http;
  const body = Buffer.from(request.body);
  return new Promise<WebhookResponse>((resolve) => {
    let settled = false;
    const finish = (response: WebhookResponse): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      outgoing.destroy();
      resolve(response);
    };
    const outgoing = client.request(url, {
      method: 'POST',
      // A fresh agent per attempt: no pooled socket to an address checked for another host.
      agent: false,
      lookup: pinnedLookup,
      headers: { ...request.headers, 'content-length': String(body.length), 'user-agent': options.userAgent },
    });
    const timer = setTimeout(() => finish({ kind: 'unreachable', reason: `no complete answer within ${options.timeoutMs} ms` }), remainingMs);
    const onAbort = (): void => finish({ kind: 'unreachable', reason: 'stopped (shutdown)' });
    signal.addEventListener('abort', onAbort);
    if (signal.aborted) onAbort();
    outgoing.on('error', (error: NodeJS.ErrnoException) => finish({ kind: 'unreachable', reason: `${error.code ?? 'error'}: ${error.message}` }));
    outgoing.on('response', (incoming) => {
      const statusCode = incoming.statusCode ?? 0;
      const chunks: Buffer[] = [];
      let received = 0;
      const answered = (): void => finish({ kind: 'answered', statusCode, bodySnippet: Buffer.concat(chunks).toString('utf8').slice(0, snippetLength).replace(/\s+/g, ' ').trim() });
      incoming.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received <= options.maxResponseBytes) chunks.push(chunk);
        else answered();
      });
      incoming.on('end', answered);
      incoming.on('error', answered);
      incoming.on('close', answered);
    });
    outgoing.end(body);
  });
}

/**
 * A real HTTP receiver on loopback for webhook tests: records every POST (headers and raw body),
 * answers as the test says (a status, a redirect, or never), and verifies Standard Webhooks
 * signatures two ways independent of imagefleet's own code: svix's `Webhook` class and a few
 * lines written straight from the specification.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'svix';

export interface ReceivedWebhook {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  receivedAtMs: number;
}

/** What to answer to the n-th request (0-based): a status, a redirect, or `hang` (never answer). */
export type ReceiverAnswer = number | { redirectTo: string } | 'hang';

export interface WebhookReceiver {
  url: string;
  port: number;
  received: ReceivedWebhook[];
  /** Changes how later requests are answered. */
  answerWith(answer: (index: number, request: ReceivedWebhook) => ReceiverAnswer): void;
  /** Resolves once `predicate` holds for the received list (checked on every request), or rejects after `timeoutMs`. */
  waitFor(predicate: (received: ReceivedWebhook[]) => boolean, timeoutMs: number, what: string): Promise<void>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  let answer: (index: number, request: ReceivedWebhook) => ReceiverAnswer = () => 204;
  const waiters = new Set<() => void>();
  const hanging = new Set<http.ServerResponse>();
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const entry: ReceivedWebhook = { path: request.url ?? '/', headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), receivedAtMs: Date.now() };
      received.push(entry);
      const decision = answer(received.length - 1, entry);
      for (const waiter of waiters) waiter();
      if (decision === 'hang') {
        hanging.add(response);
        return;
      }
      if (typeof decision === 'number') {
        response.writeHead(decision, { 'content-type': 'text/plain' }).end(decision >= 400 ? 'receiver says no' : '');
        return;
      }
      response.writeHead(302, { location: decision.redirectTo }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/imagefleet`,
    port,
    received,
    answerWith(next) {
      answer = next;
    },
    waitFor(predicate, timeoutMs, what) {
      return new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (!predicate(received)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}; received ${received.length}: ${received.map((entry) => typeOf(entry)).join(', ')}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async close() {
      for (const response of hanging) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The `type` field of a received body. */
export function typeOf(entry: ReceivedWebhook): string {
  try {
    return String((JSON.parse(entry.body) as { type?: unknown }).type);
  } catch {
    return '(not JSON)';
  }
}

/** Verifies with svix's Webhook class; throws when the signature or timestamp is wrong. */
export function verifyWithSvix(entry: ReceivedWebhook, secret: string): unknown {
  const header = (name: string): string => String(entry.headers[name] ?? '');
  return new Webhook(secret).verify(entry.body, { 'webhook-id': header('webhook-id'), 'webhook-timestamp': header('webhook-timestamp'), 'webhook-signature': header('webhook-signature') });
}

/**
 * Verifies from the specification's text alone: HMAC-SHA256 keyed with the base64-decoded part of
 * `whsec_…`, over `id.timestamp.body`, compared in constant time with each `v1,` signature.
 */
export function verifyBySpecification(entry: ReceivedWebhook, secret: string): boolean {
  const id = String(entry.headers['webhook-id']);
  const timestamp = String(entry.headers['webhook-timestamp']);
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${entry.body}`).digest();
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return false;
  return String(entry.headers['webhook-signature'])
    .split(' ')
    .filter((part) => part.startsWith('v1,'))
    .some((part) => {
      const given = Buffer.from(part.slice(3), 'base64');
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
}

/**
 * End to end across a crash: the real `imagefleet serve` posts a job's webhooks to a real
 * receiver that does not answer; the server is killed with SIGKILL while those attempts are in
 * flight (events recorded, deliveries not acknowledged), then started again on the same data
 * directory. Every event must still arrive, each `webhook-id` acknowledged exactly once, every
 * signature valid (svix and the specification's own recipe).
 */
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { cleanEnvironment, freeLoopbackPort, startCli, waitUntilServing, within, type CliProcess } from '../support/cli-process.js';
import { makeTempDir } from '../support/temp-dir.js';
import { startWebhookReceiver, typeOf, verifyBySpecification, verifyWithSvix, type WebhookReceiver } from './webhook-receiver.js';

const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

describe('webhooks across kill -9 of imagefleet serve', () => {
  const processes: CliProcess[] = [];
  let receiver: WebhookReceiver | undefined;
  let cleanup: (() => Promise<void>) | undefined;

  afterAll(async () => {
    for (const server of processes) if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
    await receiver?.close();
    await cleanup?.();
  });

  it('delivers every event once acknowledged, after the server died between the event and the answer', async () => {
    const buildError = inject('nextBuildError');
    if (buildError !== '') throw new Error(buildError);
    const temp = await makeTempDir('imagefleet-webhook-crash-');
    cleanup = temp.cleanup;
    const dataDir = path.join(temp.directory, 'data');
    receiver = await startWebhookReceiver();
    const hook = receiver;
    // First nothing is acknowledged: every attempt hangs until the server dies.
    let acknowledging = false;
    const acknowledged: string[] = [];
    hook.answerWith((_index, request) => {
      if (!acknowledging) return 'hang';
      acknowledged.push(String(request.headers['webhook-id']));
      return 204;
    });

    const port = await freeLoopbackPort();
    const baseUrl = `http://127.0.0.1:${port}`;
    // A long timeout keeps the first attempts in flight until the kill; the lease (timeout + 5 s) then has to expire.
    const env = cleanEnvironment({ IMAGEFLEET_WEBHOOK_ALLOW_PRIVATE: 'true', IMAGEFLEET_WEBHOOK_TIMEOUT_MS: '2000', IMAGEFLEET_WEBHOOK_RETRY_DELAYS_MS: '300,300,300,300,300,300,300,300,300,300', IMAGEFLEET_LOG_LEVEL: 'warn' });
    const start = async (): Promise<CliProcess> => {
      const server = startCli(['serve', '--port', String(port), '--data-dir', dataDir], { env });
      processes.push(server);
      await waitUntilServing(`${baseUrl}/api/health`, server);
      return server;
    };

    const first = await start();
    const submitted = await fetch(`${baseUrl}/api/jobs/submit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ mode: 'studio', provider: 'local', batchSize: 1, items: [{ prompt: 'a ship in a bottle', count: 3 }], webhooks: [{ url: hook.url, secret, events: ['job.completed', 'task.completed'] }] }),
    });
    expect(submitted.status).toBe(201);
    const job = (await submitted.json()) as { id: string };

    const distinctIds = () => new Set(hook.received.map((entry) => String(entry.headers['webhook-id'])));
    await hook.waitFor((received) => received.some((entry) => typeOf(entry) === 'job.completed'), 30_000, 'the first job.completed attempt');
    await hook.waitFor(() => distinctIds().size === 4, 10_000, 'first attempts of all four events');
    first.child.kill('SIGKILL');
    const died = await within(first.exited, 10_000, 'serve did not die on SIGKILL');
    expect(died.signal).toBe('SIGKILL');
    expect(acknowledged).toEqual([]);

    acknowledging = true;
    const second = await start();
    await hook.waitFor(() => new Set(acknowledged).size === 4, 40_000, 'all four events acknowledged after the restart');
    // Nothing acknowledged is sent again.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(acknowledged).toHaveLength(4);
    expect(new Set(acknowledged)).toEqual(distinctIds());

    const types = [...distinctIds()].map((id) => typeOf(hook.received.find((entry) => entry.headers['webhook-id'] === id)!));
    expect(types.sort()).toEqual(['job.completed', 'task.completed', 'task.completed', 'task.completed']);
    for (const entry of hook.received) {
      expect(() => verifyWithSvix(entry, secret)).not.toThrow();
      expect(verifyBySpecification(entry, secret)).toBe(true);
    }
    // Retries of one id carry the same body.
    for (const id of distinctIds()) expect(new Set(hook.received.filter((entry) => entry.headers['webhook-id'] === id).map((entry) => entry.body)).size).toBe(1);

    const listed = (await (await fetch(`${baseUrl}/api/webhooks/deliveries?jobId=${job.id}`)).json()) as { items: Array<{ status: string; attempts: number }> };
    await expect
      .poll(async () => ((await (await fetch(`${baseUrl}/api/webhooks/deliveries?jobId=${job.id}&status=delivered`)).json()) as { items: unknown[] }).items.length, { timeout: 5000 })
      .toBe(4);
    expect(listed.items).toHaveLength(4);

    second.child.kill('SIGTERM');
    const stopped = await within(second.exited, 15_000, 'serve did not stop on SIGTERM');
    expect(stopped.code).toBe(0);
  });
});

/**
 * How the `sdwebui` provider maps what goes wrong onto the engine's failure classes: a server that
 * is not there or has no API pauses (for a while), a refused login pauses until it changes,
 * validation errors fail the task with the web UI's words, crashes and timeouts are retried. The
 * password never appears in a message.
 */
import { describe, expect, it } from 'vitest';
import { createSdwebuiProvider } from '../../../src/providers/sdwebui/sdwebui-provider.js';
import { closedBaseUrl } from '../../fakes/closed-base-url.js';
import { rejectionOf } from '../../support/thrown-by.js';
import { canaryPassword, fakeSdwebuiPerTest, sdRequest, sdwebuiFor } from './sdwebui-test-kit.js';

describe('sdwebui errors', () => {
  const start = fakeSdwebuiPerTest();

  it('pauses for a while when nothing listens at the base URL, asking whether the server runs', async () => {
    const baseUrl = await closedBaseUrl();
    const provider = createSdwebuiProvider({ baseUrl, timeoutMs: 5_000, maxImagesPerCall: 4 });
    await provider.refreshCatalog();
    expect(provider.models().map((model) => model.modelId)).toEqual(['default']);
    const error = await rejectionOf(() => provider.generate(sdRequest()));
    expect(error.code).toBe('provider_paused');
    expect(error.message).toContain(`is the server running at ${baseUrl}?`);
    expect(error.retryAfterMs).toBe(30_000);
  });

  it('pauses until the login changes when the web UI refuses it, never quoting the password', async () => {
    const server = await start({ login: { username: 'artist', password: 'the-right-one' } });
    const wrong = await sdwebuiFor(server, { login: { username: 'artist', password: canaryPassword } });
    const error = await rejectionOf(() => wrong.generate(sdRequest()));
    expect(error.code).toBe('provider_paused');
    expect(error.retryAfterMs).toBeUndefined();
    expect(error.message).toContain('Check SDWEBUI_USERNAME and SDWEBUI_PASSWORD');
    expect(error.message).not.toContain(canaryPassword);

    const right = await sdwebuiFor(server, { login: { username: 'artist', password: 'the-right-one' } });
    expect(right.credentialFingerprint()).not.toBe(wrong.credentialFingerprint());
    expect((await right.generate(sdRequest({ seed: 1 }))).images).toHaveLength(1);
    expect(server.requests.at(-1)?.authorization).toBe(`Basic ${Buffer.from('artist:the-right-one').toString('base64')}`);
  });

  it('turns a login written into the base URL into a Basic header, and never quotes it', async () => {
    const server = await start({ login: { username: 'artist', password: 'the-right-one' } });
    const withLogin = (password: string) => server.baseUrl.replace('http://', `http://artist:${password}@`);
    const right = await sdwebuiFor(server, { baseUrl: withLogin('the-right-one') });
    expect((await right.generate(sdRequest({ seed: 2 }))).images).toHaveLength(1);
    const wrong = await sdwebuiFor(server, { baseUrl: withLogin(canaryPassword) });
    const error = await rejectionOf(() => wrong.generate(sdRequest()));
    expect(error.code).toBe('provider_paused');
    expect(error.message).toContain(server.baseUrl);
    expect(error.message).not.toContain(canaryPassword);
    expect(wrong.credentialFingerprint()).not.toBe(right.credentialFingerprint());
  });

  it('pauses with "start it with --api" when the server has no API', async () => {
    const server = await start({ apiEnabled: false });
    const provider = await sdwebuiFor(server);
    const error = await rejectionOf(() => provider.generate(sdRequest()));
    expect(error.code).toBe('provider_paused');
    expect(error.message).toContain('start the web UI with --api');
    expect(error.retryAfterMs).toBe(30_000);
  });

  it('fails the task with the web UI words on a 422 and on an unknown sampler', async () => {
    const server = await start();
    const provider = await sdwebuiFor(server);
    server.failNext(422, { detail: [{ loc: ['body', 'width'], msg: 'ensure this value is less than 4097', type: 'value_error' }] });
    const invalid = await rejectionOf(() => provider.generate(sdRequest()));
    expect(invalid.code).toBe('provider_invalid');
    expect(invalid.message).toContain('HTTP 422: width: ensure this value is less than 4097');

    const sampler = await rejectionOf(() => provider.generate(sdRequest({ providerOptions: { sampler: 'Euler b' } })));
    expect(sampler.code).toBe('provider_invalid');
    expect(sampler.message).toContain('Sampler not found');
  });

  it('retries a crash (500) and a call that runs out of time', async () => {
    const server = await start();
    const provider = await sdwebuiFor(server, { timeoutMs: 1_000 });
    server.failNext(500, { error: 'OutOfMemoryError', detail: '', body: '', errors: 'CUDA out of memory. Tried to allocate 2.00 GiB' });
    const crash = await rejectionOf(() => provider.generate(sdRequest()));
    expect(crash.code).toBe('provider_transient');
    expect(crash.message).toContain('OutOfMemoryError: CUDA out of memory');

    server.hold(0.1);
    const slow = await rejectionOf(() => provider.generate(sdRequest()));
    expect(slow.code).toBe('provider_transient');
    expect(slow.message).toContain('did not answer within 1000 ms (SDWEBUI_TIMEOUT_MS)');
    server.release();
  });

  it('reports a cancel as canceled, not as a failure', async () => {
    const server = await start();
    const provider = await sdwebuiFor(server);
    server.hold(0.2);
    const controller = new AbortController();
    const call = rejectionOf(() => provider.generate(sdRequest({ signal: controller.signal })));
    await server.whenHeld();
    controller.abort();
    expect((await call).code).toBe('canceled');
    server.release();
  });
});

/**
 * A canary user and password in a provider's base URL (`GEMINI_BASE_URL=http://user:pass@proxy/`)
 * never reach a task's error, an engine event, the provider health or a log line (issue 21).
 */
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/config/create-logger.js';
import { loadConfig } from '../../src/config/load-config.js';
import { toImagefleetError } from '../../src/core/errors.js';
import { redactUrlCredentials } from '../../src/core/url-credentials.js';
import { createFleet, type Fleet } from '../../src/fleet/create-fleet.js';
import { startFakeGeminiServer, type FakeGeminiServer } from '../fakes/gemini/fake-gemini-server.js';
import { waitFor } from '../support/engine-harness.js';
import { RecordingLogger } from '../support/recording-logger.js';
import { makeTempDir } from '../support/temp-dir.js';
import { canaryApiKey } from './gemini/gemini-test-kit.js';

const canaryPassword = 'canary-pass-5b1e0c';

describe('URL credentials', () => {
  let fake: FakeGeminiServer | undefined;
  let fleet: Fleet | undefined;
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await fleet?.stop();
    await fake?.close();
    await cleanup?.();
  });

  it('are redacted from text, errors and every log line', () => {
    expect(redactUrlCredentials('fetch http://alice:s3cret@proxy.example:8080/v1 failed')).toBe('fetch http://[redacted]@proxy.example:8080/v1 failed');
    expect(redactUrlCredentials('"url":"https://token@host/x"')).toBe('"url":"https://[redacted]@host/x"');
    expect(redactUrlCredentials('mail alice@example.com')).toBe('mail alice@example.com');
    expect(toImagefleetError(new TypeError(`Request cannot be constructed from a URL that includes credentials: http://u:${canaryPassword}@h/`)).message).not.toContain(canaryPassword);

    const lines: string[] = [];
    const destination = new Writable({ write: (chunk: Buffer, _encoding, callback) => (lines.push(chunk.toString('utf8')), callback()) });
    const logger = createLogger({ level: 'info', destination });
    logger.error({ err: new Error(`connect to http://u:${canaryPassword}@h/ failed`) }, `calling http://u:${canaryPassword}@h/`);
    expect(lines.join('')).toContain('[redacted]@h');
    expect(lines.join('')).not.toContain(canaryPassword);
  });

  it('in GEMINI_BASE_URL never appear in task errors, events, health or logs', async () => {
    fake = await startFakeGeminiServer();
    const temp = await makeTempDir();
    cleanup = temp.cleanup;
    const logger = new RecordingLogger();
    const baseUrl = fake.baseUrl.replace('http://', `http://canary-user:${canaryPassword}@`);
    fleet = await createFleet(
      loadConfig({
        IMAGEFLEET_DATA_DIR: temp.directory,
        IMAGEFLEET_IDLE_POLL_MS: '20',
        IMAGEFLEET_RETRY_BASE_MS: '10',
        IMAGEFLEET_RETRY_MAX_MS: '20',
        IMAGEFLEET_MAX_ATTEMPTS: '2',
        GEMINI_API_KEY: canaryApiKey,
        GEMINI_BASE_URL: baseUrl,
      }),
      { logger },
    );
    const { job } = await fleet.submitJob({ mode: 'studio', provider: 'gemini', model: 'nano-banana', items: [{ referenceAssetIds: [], prompts: [{ text: 'a mug', count: 1 }] }], batchSize: 1 });
    fleet.start();
    const running = fleet;
    await waitFor(async () => ['completed', 'failed'].includes((await running.store.jobs.getJob(job!.id))?.status ?? ''), 30_000, 'the job to end');

    const events = await fleet.store.events.readEvents(0, { limit: 1000 });
    const tasks = await fleet.store.jobs.listTasksInGroup((await fleet.store.jobs.getJob(job!.id))!.groupId, { jobId: job!.id, statuses: ['failed', 'blocked', 'queued', 'running', 'completed'] });
    const everything = JSON.stringify({ events, tasks, health: await fleet.health(), logs: logger.lines });
    expect(everything).not.toContain(canaryPassword);
    expect(everything).not.toContain(canaryApiKey);
    // The failure is still explained, with the URL's credentials replaced.
    expect(JSON.stringify(events)).toContain('[redacted]@');
  });
});

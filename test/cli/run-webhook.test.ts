/**
 * `imagefleet run --webhook URL` in-process with the local provider: the job carries the endpoint,
 * the generated secret is printed once, and the run does not exit before job.completed is
 * delivered to a real receiver (verified with svix). A refused URL names the flag.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startWebhookReceiver, typeOf, verifyWithSvix, type WebhookReceiver } from '../webhooks/webhook-receiver.js';
import { promptsPattern, refsPattern, runInProcess, type Workspace, makeWorkspace } from './cli-test-kit.js';

describe('imagefleet run --webhook', () => {
  let workspace: Workspace;
  let receiver: WebhookReceiver;
  beforeEach(async () => {
    workspace = await makeWorkspace();
    receiver = await startWebhookReceiver();
  });
  afterEach(async () => {
    await receiver.close();
    await workspace.cleanup();
  });

  it('delivers job.completed before the command exits, signed with the secret it printed', async () => {
    const run = await runInProcess(workspace, ['run', '--refs', refsPattern, '--prompts', promptsPattern, '--size', '512', '--out', 'out', '--webhook', receiver.url], {
      env: { IMAGEFLEET_WEBHOOK_ALLOW_PRIVATE: 'true' },
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const secret = /signs with (whsec_\S+) \(shown once/.exec(run.stdout)?.[1] ?? '';
    expect(secret).toMatch(/^whsec_/);
    expect(receiver.received.map(typeOf)).toEqual(['job.completed']);
    expect(() => verifyWithSvix(receiver.received[0]!, secret)).not.toThrow();
    expect(JSON.parse(receiver.received[0]?.body ?? '{}')).toMatchObject({ data: { mode: 'cli', status: 'completed', counts: { completed: 9 } } });
  });

  it('refuses a loopback webhook without IMAGEFLEET_WEBHOOK_ALLOW_PRIVATE, naming the flag', async () => {
    const run = await runInProcess(workspace, ['run', '--refs', refsPattern, '--prompts', promptsPattern, '--out', 'out', '--webhook', receiver.url]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--webhook: 127.0.0.1 is a loopback address');
    expect(receiver.received).toHaveLength(0);
  });
});

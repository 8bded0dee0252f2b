/**
 * A CLI session against the fake Gemini server (GEMINI_BASE_URL): the same run as with `local`,
 * through the real provider adapter, and a refused key stopping the run with one sentence.
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeGeminiServer, type FakeGeminiServer } from '../fakes/gemini/fake-gemini-server.js';
import { makeWorkspace, outputFiles, promptsPattern, readSessionLog, refsPattern, runInProcess, sessionIdFrom, type Workspace } from './cli-test-kit.js';

describe('imagefleet run --provider gemini (fake Gemini server)', () => {
  let workspace: Workspace;
  let fake: FakeGeminiServer;
  beforeEach(async () => {
    workspace = await makeWorkspace();
    fake = await startFakeGeminiServer({ apiKeys: ['test-key'] });
  });
  afterEach(async () => {
    await fake.close();
    await workspace.cleanup();
  });

  const env = (key: string) => ({ GEMINI_API_KEY: key, GEMINI_BASE_URL: fake.baseUrl, GEMINI_RPM: '0' });

  it('generates the plan into the output tree and logs its cost', async () => {
    const run = await runInProcess(workspace, ['run', '--provider', 'gemini', '--refs', refsPattern, '--prompts', 'prompts/catalog_a/', '--size', '1K', '--out', 'out'], { env: env('test-key') });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/with: {3}gemini \/ \S+, 1K, 1:1, online lane/);
    const sessionId = sessionIdFrom(run.stdout);
    const log = await readSessionLog(path.join(workspace.directory, 'out'), sessionId);
    expect(log.summary).toMatchObject({ total: 6, completed: 6, failed: 0 });
    expect(log.summary.cost_usd).toBeGreaterThan(0);
    expect(await outputFiles(path.join(workspace.directory, 'out'))).toHaveLength(6);
  });

  it('stops at a refused key with the provider’s sentence, and exits 1', async () => {
    const run = await runInProcess(workspace, ['run', '--provider', 'gemini', '--refs', refsPattern, '--prompts', 'prompts/catalog_b/', '--out', 'out'], { env: env('wrong-key') });
    expect(run.code).toBe(1);
    const sessionId = sessionIdFrom(run.stdout);
    expect(run.stdout).toMatch(/\n {2}Why: gemini is paused: Gemini refused the API key .+GEMINI_API_KEY/);
    expect(run.stdout).toContain(`Continue with: imagefleet resume ${sessionId}`);
    const log = await readSessionLog(path.join(workspace.directory, 'out'), sessionId);
    expect(log.summary).toMatchObject({ total: 3, completed: 0, failed: 0, pending: 3 });
  });

  it('completes a 207-image session through 10% injected 503s and a quota, losing nothing and paying once per image', async () => {
    // The quota window is shortened from a minute to 2 s so the test stays short; the behaviour is the same.
    fake.setOptions({ unavailableRate: 0.1, quota: { requestsPerWindow: 40, windowMs: 2_000 } });
    const run = await runInProcess(
      workspace,
      ['run', '--provider', 'gemini', '--refs', refsPattern, '--prompts', promptsPattern, '--count', '23', '--size', '1K', '--out', 'out', '--yes'],
      { env: { ...env('test-key'), IMAGEFLEET_MAX_ATTEMPTS: '8', IMAGEFLEET_RETRY_BASE_MS: '50', IMAGEFLEET_RETRY_MAX_MS: '500' } },
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const log = await readSessionLog(path.join(workspace.directory, 'out'), sessionIdFrom(run.stdout));
    expect(log.summary).toMatchObject({ total: 207, completed: 207, failed: 0, blocked: 0 });
    expect(await outputFiles(path.join(workspace.directory, 'out'))).toHaveLength(207);
    // Both faults really happened, and every image was paid for exactly once.
    expect(fake.generateCalls.filter((call) => call.reply === 'unavailable').length).toBeGreaterThan(0);
    expect(fake.generateCalls.filter((call) => call.reply === 'quota').length).toBeGreaterThan(0);
    expect(fake.billedCount()).toBe(207);
  }, 180_000);
});


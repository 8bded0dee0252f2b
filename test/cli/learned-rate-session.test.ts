/**
 * Issue 18 end to end: a CLI session on the hidden-quota Gemini fake with no `GEMINI_RPM` set
 * (`auto`): the engine discovers the pace, never calls inside a retry delay the fake announced,
 * finishes the session, and `imagefleet status` shows the learned rate.
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startHiddenQuotaServer, type HiddenQuotaServer } from '../fakes/gemini/hidden-quota-server.js';
import { makeWorkspace, readSessionLog, refsPattern, runInProcess, sessionIdFrom, type Workspace } from './cli-test-kit.js';
import { arrivalsInsideRetryDelay } from '../fakes/gemini/hidden-quota-policy.js';

describe('imagefleet run --provider gemini with GEMINI_RPM unset (learned rate)', () => {
  let workspace: Workspace;
  let fake: HiddenQuotaServer;
  beforeEach(async () => {
    workspace = await makeWorkspace();
    // 2 requests per 3 s (40/min), unknown to the engine; short calls keep the test short.
    fake = await startHiddenQuotaServer({ limits: { requests: { limit: 2, windowMs: 3_000 } }, latencyMs: { minMs: 100, maxMs: 300 } });
  });
  afterEach(async () => {
    await fake.close();
    await workspace.cleanup();
  });

  it('says in the dry run that the rate is learned and where it starts; --rpm N is a fixed rate and --rpm auto learns it for any provider', async () => {
    const env = { GEMINI_API_KEY: 'test-key', GEMINI_BASE_URL: fake.baseUrl };
    const plan = ['run', '--refs', refsPattern, '--prompts', 'prompts/catalog_a/', '--size', '1K', '--dry-run'];
    const learned = await runInProcess(workspace, [...plan, '--provider', 'gemini'], { env });
    expect(learned.code).toBe(0);
    expect(learned.stdout).toContain('time assumes the rate learned (starts at 10/min');
    expect(learned.stdout).not.toContain('no rate limit');
    const fixed = await runInProcess(workspace, [...plan, '--provider', 'gemini', '--rpm', '30'], { env });
    expect(fixed.stdout).toContain('at most 30 requests/minute');
    const local = await runInProcess(workspace, [...plan, '--provider', 'local', '--rpm', 'AUTO'], { env });
    expect(local.code).toBe(0);
    expect(local.stdout).toContain('the rate learned (starts at 10/min');
    expect(fake.arrivals()).toHaveLength(0);
  });

  it('finishes the session within the hidden quota, honours every retry delay, and shows the learned rate', async () => {
    const env = { GEMINI_API_KEY: 'test-key', GEMINI_BASE_URL: fake.baseUrl, IMAGEFLEET_RETRY_BASE_MS: '50', IMAGEFLEET_RETRY_MAX_MS: '500' };
    const run = await runInProcess(workspace, ['run', '--provider', 'gemini', '--refs', refsPattern, '--prompts', 'prompts/catalog_a/', '--count', '2', '--size', '1K', '--out', 'out', '--yes'], { env });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const sessionId = sessionIdFrom(run.stdout);
    const log = await readSessionLog(path.join(workspace.directory, 'out'), sessionId);
    expect(log.summary).toMatchObject({ total: 12, completed: 12, failed: 0 });

    const arrivals = fake.arrivals();
    expect(arrivalsInsideRetryDelay(arrivals)).toBe(0);
    expect(arrivals.filter((arrival) => arrival.status === 200)).toHaveLength(12);
    // Evenly paced: a handful of 429s at most while the rate is discovered.
    expect(arrivals.filter((arrival) => arrival.status === 429).length).toBeLessThanOrEqual(3);

    const status = await runInProcess(workspace, ['status', sessionId], { env });
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/rate \d+\/min, (discovering|learned)/);
  }, 180_000);
});

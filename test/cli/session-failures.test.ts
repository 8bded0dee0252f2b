/**
 * Sessions whose calls fail: failed and blocked calls in the log and the exit code, `retry` of the
 * failed ones and of named ones, and a refused key stopping the run with the provider's sentence.
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { providerError } from '../../src/providers/contract.js';
import { succeed, ScriptedProvider } from '../support/scripted-provider.js';
import { makeWorkspace, readSessionLog, refsPattern, runInProcess, sessionIdFrom, type Workspace } from './cli-test-kit.js';

const limits = { scripted: { requestsPerMinute: 0, maxConcurrency: 4, cooldownMs: 0 } };

describe('sessions with failing calls (scripted provider)', () => {
  let workspace: Workspace;
  let provider: ScriptedProvider;
  beforeEach(async () => {
    workspace = await makeWorkspace();
    const ok = succeed();
    provider = new ScriptedProvider({
      script: async (request, call) => {
        if (request.prompt.includes('snow')) throw providerError('blocked', 'The provider blocked this image (safety).');
        if (request.prompt.includes('fabric')) throw providerError('invalid', 'The provider refused the request: bad argument.');
        return ok(request, call);
      },
    });
  });
  afterEach(() => workspace.cleanup());

  const run = (args: string[]) => runInProcess(workspace, args, { fleetOptions: { extraProviders: [provider], extraLimits: limits } });

  it('logs failed and blocked calls, exits 1, and retries what it is asked to', async () => {
    const started = await run(['run', '--provider', 'scripted', '--refs', refsPattern, '--prompts', 'prompts/catalog_{catalog}/', '--out', 'out']);
    expect(started.code).toBe(1);
    const sessionId = sessionIdFrom(started.stdout);
    expect(started.stdout).toContain('blocked by the provider\'s safety filter: The provider blocked this image (safety).');
    expect(started.stdout).toContain('failed: The provider refused the request: bad argument.');
    expect(started.stdout).toContain(`Retry the failed calls with: imagefleet retry ${sessionId}`);
    const out = path.join(workspace.directory, 'out');
    const log = await readSessionLog(out, sessionId);
    expect(log.status).toBe('failed');
    expect(log.summary).toMatchObject({ total: 9, completed: 3, failed: 3, blocked: 3, pending: 0 });
    const failed = log.jobs.filter((job) => job.status === 'failed');
    const blocked = log.jobs.filter((job) => job.status === 'blocked');
    expect(failed.every((job) => job.error === 'The provider refused the request: bad argument.' && job.error_code === 'provider_invalid' && job.output === null)).toBe(true);
    expect(blocked.every((job) => job.error_code === 'provider_blocked')).toBe(true);

    provider.script = succeed();
    const retried = await run(['retry', sessionId]);
    expect(retried.stdout).toContain('Retrying 3 calls');
    expect(retried.code).toBe(1);
    expect((await readSessionLog(out, sessionId)).summary).toMatchObject({ completed: 6, failed: 0, blocked: 3 });

    const badId = await run(['retry', sessionId, '--job', '0099']);
    expect(badId.code).toBe(2);
    expect(badId.stderr).toBe(`imagefleet: Session ${sessionId} has no job "0099"; its jobs are 0001 to 0009 (see "imagefleet status ${sessionId}" or its session log).\n`);
    const notFailed = await run(['retry', sessionId, '--job', failed[0]!.id]);
    expect(notFailed.code).toBe(2);
    expect(notFailed.stderr).toContain('is completed; only failed or blocked jobs can be retried');

    const named = await run(['retry', sessionId, ...blocked.flatMap((job) => ['--job', job.id])]);
    expect(named.code).toBe(0);
    const final = await readSessionLog(out, sessionId);
    expect(final.summary).toMatchObject({ total: 9, completed: 9 });
    expect(new Set(final.jobs.map((job) => job.output)).size).toBe(9);
  });

  it('a refused key stops the run with the provider’s sentence; resume goes on once it is fixed', async () => {
    provider.script = () => Promise.reject(providerError('paused', 'The API key was refused (403); set a valid key and run "imagefleet resume".'));
    const started = await run(['run', '--provider', 'scripted', '--refs', refsPattern, '--prompts', 'prompts/catalog_b/', '--out', 'out']);
    expect(started.code).toBe(1);
    const sessionId = sessionIdFrom(started.stdout);
    expect(started.stdout).toContain(`Session ${sessionId} stopped: 0 of 3 done`);
    expect(started.stdout).toContain('  Why: scripted is paused: The API key was refused (403); set a valid key and run "imagefleet resume".\n');
    const log = await readSessionLog(path.join(workspace.directory, 'out'), sessionId);
    expect(log.summary).toMatchObject({ total: 3, completed: 0, failed: 0, pending: 3 });

    // A new key (another credential fingerprint) lifts the pause.
    const fixed = new ScriptedProvider({ credentialFingerprint: 'new-key' });
    const resumed = await runInProcess(workspace, ['resume', sessionId], { fleetOptions: { extraProviders: [fixed], extraLimits: limits } });
    expect(resumed.code).toBe(0);
    expect((await readSessionLog(path.join(workspace.directory, 'out'), sessionId)).summary).toMatchObject({ total: 3, completed: 3 });
  });
});

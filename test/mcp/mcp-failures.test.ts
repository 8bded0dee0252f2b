/**
 * The MCP tools around money and failure, in-process (the SDK's in-memory transport) so a scripted
 * provider can price and fail calls: the cost cap refusing a start and a retry with the estimate
 * named, failures listed with their reasons, retries of failed and of named blocked calls.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import { createMcpServer } from '../../src/mcp/mcp-server.js';
import { SessionRuns } from '../../src/mcp/session-runs.js';
import { providerError } from '../../src/providers/contract.js';
import { hang, succeed, ScriptedProvider } from '../support/scripted-provider.js';
import { makeWorkspace, promptsPattern, refsPattern, type Workspace } from '../cli/cli-test-kit.js';

interface ToolResult {
  isError?: boolean;
  structuredContent?: Record<string, unknown>;
}

const limits = { scripted: { requestsPerMinute: 0, maxConcurrency: 4, cooldownMs: 0 } };

describe('imagefleet mcp: cost caps and failures (scripted provider, in-process)', () => {
  let workspace: Workspace;
  let provider: ScriptedProvider;
  let runs: SessionRuns;
  let server: McpServer;
  let client: Client;

  const call = async (name: string, args: Record<string, unknown>): Promise<ToolResult> => (await client.callTool({ name, arguments: args })) as ToolResult;
  const waitUntilEnded = async (session: string): Promise<Record<string, unknown> | undefined> => {
    let status: Record<string, unknown> | undefined;
    for (let attempt = 0; attempt < 10; attempt += 1) {
      status = (await call('wait_for_session', { session, timeout_seconds: 20 })).structuredContent;
      if (status?.running_here === false) break;
    }
    return status;
  };

  beforeEach(async () => {
    workspace = await makeWorkspace();
    const ok = succeed();
    provider = new ScriptedProvider({
      pricePerImageUsd: 0.04,
      script: async (request, attempt) => {
        if (request.prompt.includes('snow')) throw providerError('blocked', 'The provider blocked this image (safety).');
        if (request.prompt.includes('fabric')) throw providerError('invalid', 'The provider refused the request: bad argument.');
        return ok(request, attempt);
      },
    });
    runs = new SessionRuns(silentLogger);
    server = createMcpServer({
      cli: { environment: { IMAGEFLEET_DATA_DIR: workspace.dataDir, IMAGEFLEET_IDLE_POLL_MS: '20' }, cwd: workspace.directory, fleetOptions: { extraProviders: [provider], extraLimits: limits } },
      command: new Command('mcp'),
      runs,
      logger: silentLogger,
    });
    const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
    await server.connect(serverTransport);
    client = new Client({ name: 'imagefleet-test', version: '1.0.0' });
    await client.connect(clientTransport);
  });

  afterEach(async () => {
    await runs.stopAll();
    await client.close();
    await server.close();
    await workspace.cleanup();
  });

  it('refuses to start above the cost cap, naming the estimate, and starts nothing', async () => {
    const plan = await call('plan', { provider: 'scripted', refs: refsPattern, prompts: promptsPattern });
    expect(plan.structuredContent).toMatchObject({ tasks: 9 });
    expect(plan.structuredContent?.cost_usd).toBeCloseTo(0.36, 6);

    const refused = await call('start_session', { provider: 'scripted', refs: refsPattern, prompts: promptsPattern, max_cost_usd: 0.1 });
    expect(refused.isError).toBe(true);
    expect(refused.structuredContent).toMatchObject({ code: 'budget_exceeded', message: expect.stringContaining('$0.36') as unknown, hint: expect.stringContaining('max_cost_usd') as unknown });
    expect(refused.structuredContent?.issues).toEqual([expect.objectContaining({ path: 'max_cost_usd' })]);
    expect(provider.calls).toHaveLength(0);
    expect((await call('list_sessions', {})).structuredContent).toEqual({ sessions: [] });
  });

  it('lists failures with their reasons and retries failed calls, then named blocked ones, within the cap', async () => {
    const started = await call('start_session', { provider: 'scripted', refs: refsPattern, prompts: promptsPattern, out: 'out', max_cost_usd: 0.36 });
    const session = started.structuredContent?.session_id as string;
    expect(await waitUntilEnded(session)).toMatchObject({ status: 'failed', counts: expect.objectContaining({ completed: 3, failed: 3, blocked: 3 }) as unknown });

    const failures = await call('list_failures', { session });
    expect(failures.structuredContent).toMatchObject({ total: 6, next_offset: null });
    const listed = failures.structuredContent?.failures as Array<{ id: string; status: string; error_code: string; error: string; prompt_id: string }>;
    expect(listed.filter((failure) => failure.status === 'failed').every((failure) => failure.error_code === 'provider_invalid' && failure.error === 'The provider refused the request: bad argument.' && failure.prompt_id === 'detail')).toBe(true);
    const blocked = listed.filter((failure) => failure.status === 'blocked');
    expect(blocked).toHaveLength(3);
    expect(blocked.every((failure) => failure.error_code === 'provider_blocked')).toBe(true);
    expect(failures.structuredContent?.reasons).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'provider_invalid', taskCount: 3 })]));

    const overCap = await call('retry_session', { session, max_cost_usd: 0.05 });
    expect(overCap.structuredContent).toMatchObject({ code: 'budget_exceeded', message: expect.stringContaining('$0.12') as unknown });

    provider.script = succeed();
    const retried = await call('retry_session', { session, max_cost_usd: 0.12 });
    expect(retried.structuredContent).toMatchObject({ retried_calls: 3 });
    expect(await waitUntilEnded(session)).toMatchObject({ counts: expect.objectContaining({ completed: 6, failed: 0, blocked: 3 }) as unknown });

    const notFailed = await call('retry_session', { session, call_ids: ['0001'], max_cost_usd: 1 });
    expect(notFailed.structuredContent).toMatchObject({ code: 'invalid_input' });
    const named = await call('retry_session', { session, call_ids: blocked.map((failure) => failure.id), max_cost_usd: 0.12 });
    expect(named.structuredContent).toMatchObject({ retried_calls: 3 });
    expect(await waitUntilEnded(session)).toMatchObject({ status: 'completed', counts: expect.objectContaining({ completed: 9 }) as unknown });
    expect((await call('list_failures', { session })).structuredContent).toMatchObject({ total: 0 });

    const resumeDone = await call('resume_session', { session, max_cost_usd: 0 });
    expect(resumeDone.structuredContent).toMatchObject({ session_id: session });
    await waitUntilEnded(session);

    const upgradeWithoutCap = await call('upgrade_session', { session, to: '2K' });
    expect(upgradeWithoutCap.structuredContent).toMatchObject({ code: 'invalid_input', issues: [expect.objectContaining({ path: 'max_cost_usd' })] });
  }, 60_000);

  it('cancels a running session: calls in flight are aborted, it cannot be resumed', async () => {
    provider.script = hang();
    const started = await call('start_session', { provider: 'scripted', refs: refsPattern, prompts: promptsPattern, out: 'out', max_cost_usd: 1 });
    const session = started.structuredContent?.session_id as string;
    const running = await call('wait_for_session', { session, timeout_seconds: 1 });
    expect(running.structuredContent).toMatchObject({ timed_out: true, running_here: true });
    const canceled = await call('cancel_session', { session });
    expect(canceled.structuredContent).toMatchObject({ session_id: session, status: 'canceled' });
    expect(await waitUntilEnded(session)).toMatchObject({ status: 'canceled', running_here: false });
    const resumed = await call('resume_session', { session, max_cost_usd: 1 });
    expect(resumed.structuredContent).toMatchObject({ code: 'conflict', message: expect.stringContaining('canceled') as unknown });
  }, 60_000);
});

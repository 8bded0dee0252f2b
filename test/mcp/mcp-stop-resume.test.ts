/**
 * A session started through `imagefleet mcp` outlives its server: when the client disconnects the
 * server stops claiming, lets calls in flight finish and exits; a new server resumes the session
 * to completion without generating anything twice.
 */
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { binPath, cleanEnvironment } from '../support/cli-process.js';
import { makeWorkspace, promptsPattern, readSessionLog, refsPattern, type Workspace } from '../cli/cli-test-kit.js';

interface ToolResult {
  isError?: boolean;
  structuredContent?: Record<string, unknown>;
}

describe('imagefleet mcp: stopping with the client and resuming', () => {
  let workspace: Workspace;
  beforeEach(async () => {
    workspace = await makeWorkspace();
  });
  afterEach(() => workspace.cleanup());

  async function connect(): Promise<{ client: Client; transport: StdioClientTransport }> {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [binPath, 'mcp'],
      cwd: workspace.directory,
      // Slow, one call at a time: the session is still running when the client leaves.
      env: cleanEnvironment({ IMAGEFLEET_DATA_DIR: workspace.dataDir, IMAGEFLEET_IDLE_POLL_MS: '20', IMAGEFLEET_LOCAL_LATENCY_MS: '300', IMAGEFLEET_LOCAL_CONCURRENCY: '1' }),
      stderr: 'pipe',
    });
    const client = new Client({ name: 'imagefleet-test', version: '1.0.0' });
    await client.connect(transport);
    return { client, transport };
  }

  it('stops the run when the client disconnects and resumes it from a new server', async () => {
    const first = await connect();
    const call = async (client: Client, name: string, args: Record<string, unknown>): Promise<ToolResult> => (await client.callTool({ name, arguments: args })) as ToolResult;
    const started = await call(first.client, 'start_session', { refs: refsPattern, prompts: promptsPattern, count: 1, size: '512', out: 'out', max_cost_usd: 0 });
    const session = started.structuredContent?.session_id as string;
    const early = await call(first.client, 'wait_for_session', { session, timeout_seconds: 1 });
    expect(early.structuredContent).toMatchObject({ timed_out: true, running_here: true });
    const pid = first.transport.pid;
    const exited = new Promise<void>((resolve) => {
      const check = setInterval(() => {
        try {
          process.kill(pid ?? 0, 0);
        } catch {
          clearInterval(check);
          resolve();
        }
      }, 50);
    });
    await first.client.close();
    await exited;

    const log = await readSessionLog(path.join(workspace.directory, 'out'), session);
    expect(log.summary.completed).toBeGreaterThan(0);
    expect(log.summary.completed).toBeLessThan(9);
    expect(log.summary.running).toBe(0);

    const second = await connect();
    try {
      const status = await call(second.client, 'get_status', { session });
      expect(status.structuredContent).toMatchObject({ running_here: false });
      expect((status.structuredContent?.next as string[]).join(' ')).toContain('resume_session');
      // Nobody runs it now: waiting gives up early instead of sitting out the timeout.
      const waitStartedMs = Date.now();
      const idle = await call(second.client, 'wait_for_session', { session, timeout_seconds: 30 });
      expect(idle.structuredContent).toMatchObject({ timed_out: false, running_here: false });
      expect(Date.now() - waitStartedMs).toBeLessThan(15_000);
      const resumed = await call(second.client, 'resume_session', { session, max_cost_usd: 0 });
      expect(resumed.structuredContent).toMatchObject({ session_id: session, running_here: true });
      let final: Record<string, unknown> | undefined;
      for (let attempt = 0; attempt < 10 && final?.timed_out !== false; attempt += 1) final = (await call(second.client, 'wait_for_session', { session, timeout_seconds: 20 })).structuredContent;
      expect(final).toMatchObject({ status: 'completed', counts: expect.objectContaining({ completed: 9 }) as unknown });
      const done = await readSessionLog(path.join(workspace.directory, 'out'), session);
      expect(done.summary).toMatchObject({ total: 9, completed: 9 });
      expect(new Set(done.jobs.map((job) => job.output)).size).toBe(9);
    } finally {
      await second.client.close();
    }
  }, 120_000);
});

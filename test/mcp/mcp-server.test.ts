/**
 * `imagefleet mcp` driven by the official SDK client over stdio, as an assistant drives it: the
 * real bin shim in a child process, a temporary data directory, the local provider and reference
 * images made with sharp.
 */
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binPath, cleanEnvironment } from '../support/cli-process.js';
import { comboFolders, makeWorkspace, promptsPattern, refsPattern, type Workspace } from '../cli/cli-test-kit.js';

interface ToolResult {
  isError?: boolean;
  structuredContent?: Record<string, unknown>;
  content: Array<{ type: string; text?: string; data?: string; mimeType?: string }>;
}

describe('imagefleet mcp (SDK client over stdio)', () => {
  let workspace: Workspace;
  let client: Client;
  let stderr = '';
  const protocolErrors: Error[] = [];

  const secretKey = 'test-gemini-key-that-must-never-show';
  let everyAnswer = '';
  const call = async (name: string, args: Record<string, unknown>): Promise<ToolResult> => {
    const result = (await client.callTool({ name, arguments: args })) as ToolResult;
    everyAnswer += JSON.stringify(result);
    return result;
  };

  beforeAll(async () => {
    workspace = await makeWorkspace();
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [binPath, 'mcp'],
      cwd: workspace.directory,
      env: cleanEnvironment({ IMAGEFLEET_DATA_DIR: workspace.dataDir, IMAGEFLEET_IDLE_POLL_MS: '20', GEMINI_API_KEY: secretKey }),
      stderr: 'pipe',
    });
    transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    client = new Client({ name: 'imagefleet-test', version: '1.0.0' });
    // Anything but protocol messages on the server's stdout would surface here.
    client.onerror = (error) => protocolErrors.push(error);
    await client.connect(transport);
  }, 60_000);

  afterAll(async () => {
    expect(everyAnswer.length).toBeGreaterThan(0);
    expect(everyAnswer).not.toContain(secretKey);
    expect(stderr).not.toContain(secretKey);
    await client.close();
    await workspace.cleanup();
  });

  it('lists its tools, each with a JSON Schema of its arguments', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(
      ['cancel_session', 'get_image', 'get_status', 'list_failures', 'list_providers', 'list_results', 'list_sessions', 'plan', 'resume_session', 'retry_session', 'start_session', 'upgrade_session', 'wait_for_session'].sort(),
    );
    const start = tools.find((tool) => tool.name === 'start_session');
    expect(start?.inputSchema.type).toBe('object');
    expect(start?.inputSchema.required).toContain('max_cost_usd');
    expect(Object.keys(start?.inputSchema.properties ?? {})).toEqual(expect.arrayContaining(['refs', 'prompts', 'count', 'size', 'layout', 'cwd']));
  });

  it('plans combos × prompts with cost and time, generating nothing', async () => {
    const result = await call('plan', { refs: refsPattern, prompts: promptsPattern, count: 2, size: '512' });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ dry_run: true, tasks: 18, images: 18, cost_usd: 0, provider: 'local', size: '512' });
    expect(result.content[0]?.text).toContain('Plan: 3 combos × 3 prompts × 2 images = 18 images in 18 calls');
    expect((await call('list_sessions', {})).structuredContent).toEqual({ sessions: [] });

    const providers = (await call('list_providers', {})).structuredContent?.providers as Array<{ id: string; models: Array<{ id: string; sizes: string[] }> }>;
    expect(providers.map((provider) => provider.id)).toEqual(expect.arrayContaining(['local', 'gemini']));
    expect(providers.find((provider) => provider.id === 'local')?.models[0]?.sizes).toContain('512');

    const priced = await call('plan', { provider: 'gemini', refs: refsPattern, prompts: promptsPattern });
    expect(priced.structuredContent?.cost_usd).toBeGreaterThan(0);

    const references = [`${comboFolders[0]}/pose.png`, `${comboFolders[1]}/product.png`];
    const single = await call('plan', { references, prompt: 'A studio shot on white.', count: 4 });
    expect(single.structuredContent).toMatchObject({ shape: '1 combo × 1 prompt × 4 images', images: 4 });
    const both = await call('plan', { references, refs: refsPattern, prompt: 'x' });
    expect(both.structuredContent).toMatchObject({ code: 'invalid_input', issues: [expect.objectContaining({ path: 'references' })] });
  });

  it('answers bad input with a structured error: code, message naming the argument, hint', async () => {
    const outOfRange = await call('plan', { refs: refsPattern, prompts: promptsPattern, count: 1000 });
    expect(outOfRange.isError).toBe(true);
    expect(outOfRange.structuredContent).toMatchObject({ code: 'invalid_input', message: expect.stringContaining('--count') as unknown, hint: expect.any(String) as unknown });

    const noCap = await call('start_session', { refs: refsPattern, prompts: promptsPattern });
    expect(noCap.isError).toBe(true);
    expect(noCap.structuredContent).toMatchObject({ code: 'invalid_input', issues: [expect.objectContaining({ path: 'max_cost_usd' })] });

    const unknownKey = await call('plan', { refs: refsPattern, prompts: promptsPattern, colour: 'orange' });
    expect(unknownKey.structuredContent).toMatchObject({ code: 'invalid_input' });

    const noMatch = await call('plan', { refs: 'nowhere/{combo}/', prompts: promptsPattern });
    expect(noMatch.structuredContent).toMatchObject({ code: 'invalid_input', message: expect.stringContaining('nowhere') as unknown });

    const unknownSession = await call('get_status', { session: '19990101-000000-zzzz' });
    expect(unknownSession.isError).toBe(true);
    expect(unknownSession.structuredContent).toMatchObject({ code: 'invalid_input', hint: expect.any(String) as unknown });
    expect(stderr).not.toMatch(/unexpected/i);
  });

  it('runs a local session to completion, then lists and fetches its images and serves its log as a resource', async () => {
    const started = await call('start_session', { refs: refsPattern, prompts: promptsPattern, count: 1, size: '512', out: 'out', max_cost_usd: 0 });
    expect(started.isError).toBeFalsy();
    const sessionId = started.structuredContent?.session_id as string;
    expect(sessionId).toMatch(/^\d{8}-\d{6}-[a-z0-9]+$/);
    expect(started.structuredContent).toMatchObject({ status: 'running', calls: 9, estimated_cost_usd: 0 });

    let status: Record<string, unknown> | undefined;
    for (let attempt = 0; attempt < 10; attempt += 1) {
      status = (await call('wait_for_session', { session: sessionId, timeout_seconds: 20 })).structuredContent;
      if (status?.timed_out === false) break;
    }
    expect(status).toMatchObject({ status: 'completed', timed_out: false, counts: expect.objectContaining({ total: 9, completed: 9, failed: 0 }) as unknown });

    const failures = await call('list_failures', { session: sessionId });
    expect(failures.structuredContent).toMatchObject({ total: 0, failures: [] });

    const firstPage = await call('list_results', { session: sessionId, limit: 5 });
    const images = firstPage.structuredContent?.images as Array<{ image_id: string; call_id: string }>;
    expect(images).toHaveLength(5);
    expect(firstPage.structuredContent?.next_offset).toBe(5);
    const secondPage = await call('list_results', { session: sessionId, limit: 5, offset: 5 });
    expect(secondPage.structuredContent?.images).toHaveLength(4);
    expect(secondPage.structuredContent?.next_offset).toBeNull();

    const thumbnail = await call('get_image', { image_id: images[0]!.image_id });
    const thumbnailBlock = thumbnail.content.find((block) => block.type === 'image');
    expect(thumbnailBlock?.mimeType).toBe('image/webp');
    const thumbnailMeta = await sharp(Buffer.from(thumbnailBlock?.data ?? '', 'base64')).metadata();
    expect(thumbnailMeta.format).toBe('webp');
    expect(Math.max(thumbnailMeta.width, thumbnailMeta.height)).toBeLessThanOrEqual(384);
    expect(thumbnail.structuredContent).toMatchObject({ session_id: sessionId, provider: 'local', variant: 'thumbnail' });

    const full = await call('get_image', { image_id: images[0]!.image_id, full: true });
    const fullBlock = full.content.find((block) => block.type === 'image');
    expect(fullBlock?.mimeType).toBe('image/png');
    const fullMeta = await sharp(Buffer.from(fullBlock?.data ?? '', 'base64')).metadata();
    expect(fullMeta.format).toBe('png');
    expect(fullMeta.width).toBe(full.structuredContent?.width);

    const { resources } = await client.listResources();
    expect(resources.map((resource) => resource.uri)).toContain(`imagefleet://sessions/${sessionId}`);
    const logResource = await client.readResource({ uri: `imagefleet://sessions/${sessionId}` });
    const log = JSON.parse((logResource.contents[0] as { text: string }).text) as { session_id: string; summary: { completed: number }; jobs: Array<{ output: string }> };
    expect(log.session_id).toBe(sessionId);
    expect(log.summary.completed).toBe(9);
    expect(log.jobs.every((job) => typeof job.output === 'string' && !path.isAbsolute(job.output))).toBe(true);

    const group = resources.find((resource) => resource.uri.startsWith('imagefleet://groups/'));
    expect(group).toBeDefined();
    const groupBody = JSON.parse(((await client.readResource({ uri: group!.uri })).contents[0] as { text: string }).text) as { image_count: number };
    expect(groupBody.image_count).toBeGreaterThanOrEqual(9);

    const again = await call('retry_session', { session: sessionId, max_cost_usd: 0 });
    expect(again.structuredContent).toMatchObject({ retried_calls: 0 });
    const upgradePlan = await call('upgrade_session', { session: sessionId, to: '1K', dry_run: true });
    expect(upgradePlan.structuredContent).toMatchObject({ dry_run: true, tasks: 9, size: '1K' });
    const cancel = await call('cancel_session', { session: sessionId });
    expect(cancel.structuredContent).toMatchObject({ code: 'conflict' });
    expect(stderr).not.toMatch(/unexpected|error/i);
    expect(protocolErrors).toEqual([]);
  }, 120_000);
});

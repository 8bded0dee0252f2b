/**
 * The Gemini Batch API lane at the provider level, against the fake: references uploaded once,
 * one JSONL file keyed by task key, one batch per group, results read per key (streamed from the
 * result file), failed and expired requests reported for resubmission, re-attaching from a handle
 * alone, and cancel.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GenerateResult, RemotePollResult } from '../../src/providers/contract.js';
import { parseBatchHandle } from '../../src/providers/gemini/batch/batch-handle.js';
import { BatchResultFile } from '../../src/providers/gemini/batch/batch-result-file.js';
import { startFakeGeminiServer, type FakeGeminiServer } from '../fakes/gemini/fake-gemini-server.js';
import { finalImageColour } from '../fakes/gemini/fake-images.js';
import { averageColour, canaryApiKey, imageRequest, pngReference, providerFor, thrownBy } from './gemini/gemini-test-kit.js';

type GeminiProvider = ReturnType<typeof providerFor>;

/** Polls until the handle is no longer pending. */
async function pollUntilSettled(provider: GeminiProvider, handle: string): Promise<Exclude<RemotePollResult, { state: 'pending' }>> {
  for (let tries = 0; tries < 500; tries += 1) {
    const result = await provider.poll!(handle, new AbortController().signal);
    if (result.state !== 'pending') return result;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`handle ${handle} still pending`);
}

function expectDone(result: RemotePollResult): GenerateResult {
  if (result.state !== 'done') throw new Error(`expected done, got ${JSON.stringify(result)}`);
  return result.result;
}

describe('Gemini batch lane (provider)', () => {
  let fake: FakeGeminiServer;
  beforeEach(async () => {
    fake = await startFakeGeminiServer();
  });
  afterEach(() => fake.close());

  it('uploads each distinct reference once, writes one JSONL file keyed by task key, and creates one batch', async () => {
    const shared = await pngReference(20, 20, { r: 10, g: 200, b: 10 });
    const other = await pngReference(30, 20, { r: 200, g: 10, b: 10 });
    const provider = providerFor(fake);
    const handles = await Promise.all([
      provider.submit!(imageRequest({ taskKey: 'key-a', references: [shared], size: '2K', aspectRatio: '3:2', seed: 7 })),
      provider.submit!(imageRequest({ taskKey: 'key-b', references: [shared, other], size: '2K', aspectRatio: '3:2' })),
      provider.submit!(imageRequest({ taskKey: 'key-c', references: [shared] })),
    ]);

    expect(fake.batches).toHaveLength(1);
    const batch = fake.batches[0]!;
    expect(batch.model).toBe('gemini-3-pro-image');
    expect(batch.keys).toEqual(expect.arrayContaining(['key-a', 'key-b', 'key-c']));
    const referenceUploads = [...fake.files.values()].filter((file) => file.mimeType === 'image/png');
    expect(referenceUploads).toHaveLength(2);
    expect(provider.batchLane.referenceUploadCount).toBe(2);

    const input = fake.files.get(batch.inputFileName)!;
    const lines = input.bytes.toString('utf8').trim().split('\n').map((line) => JSON.parse(line) as { key: string; request: Record<string, unknown> });
    const lineA = lines.find((line) => line.key === 'key-a')!;
    const uploadedFileUri: unknown = expect.stringMatching(/\/v1beta\/files\/\w+$/);
    expect(lineA.request).toEqual({
      contents: [{ role: 'user', parts: [{ text: 'a ceramic mug on a marble table' }, { fileData: { mimeType: 'image/png', fileUri: uploadedFileUri } }] }],
      generationConfig: { responseModalities: ['IMAGE'], candidateCount: 1, imageConfig: { aspectRatio: '3:2', imageSize: '2K' }, seed: 7 },
    });
    expect(handles.map((handle) => parseBatchHandle(handle))).toEqual([
      { batchName: batch.name, key: 'key-a', model: 'nano-banana-pro', size: '2K', aspectRatio: '3:2', retry: 'batch' },
      { batchName: batch.name, key: 'key-b', model: 'nano-banana-pro', size: '2K', aspectRatio: '3:2', retry: 'batch' },
      { batchName: batch.name, key: 'key-c', model: 'nano-banana-pro', size: '1K', aspectRatio: '1:1', retry: 'batch' },
    ]);
  });

  it('answers each request from the batch result file at the batch price', async () => {
    fake.queueReplies({ kind: 'thought-images', count: 1 });
    const provider = providerFor(fake);
    const handle = await provider.submit!(imageRequest({ modelId: 'nano-banana-2', taskKey: 'only', size: '512', aspectRatio: '4:1' }));
    const result = expectDone(await pollUntilSettled(provider, handle));
    expect(result.images[0]).toMatchObject({ mediaType: 'image/png', width: 1024, height: 256 });
    expect(await averageColour(result.images[0]!.bytes)).toEqual(finalImageColour);
    // 747 image tokens at $60/M, halved (no input price known for this model).
    expect(result.costUsd).toBeCloseTo(0.02241, 6);
    expect(result.warnings).toEqual([]);
  });

  it('polls the batch once per interval however many requests wait on it', async () => {
    fake.setOptions({ batchCompletion: 'manual' });
    const provider = providerFor(fake, { batch: { maxRequestsPerBatch: 100, gatherMs: 20, pollIntervalMs: 60_000 } });
    const handles = await Promise.all(['a', 'b', 'c', 'd'].map((taskKey) => provider.submit!(imageRequest({ taskKey }))));
    for (const handle of handles) expect((await provider.poll!(handle, new AbortController().signal)).state).toBe('pending');
    for (const handle of handles) expect((await provider.poll!(handle, new AbortController().signal)).state).toBe('pending');
    expect(fake.requests.filter((request) => request.path.startsWith('/v1beta/batches/'))).toHaveLength(1);
  });

  it('splits a group at the batch size limit', async () => {
    const provider = providerFor(fake, { batch: { maxRequestsPerBatch: 2, gatherMs: 10_000, pollIntervalMs: 10 } });
    await Promise.all(['a', 'b', 'c', 'd'].map((taskKey) => provider.submit!(imageRequest({ taskKey }))));
    expect(fake.batches.map((batch) => batch.keys.length)).toEqual([2, 2]);
  });

  it('keeps keys unique when two tasks of different jobs share a task key', async () => {
    const provider = providerFor(fake);
    const handles = await Promise.all([provider.submit!(imageRequest({ taskKey: 'same' })), provider.submit!(imageRequest({ taskKey: 'same' }))]);
    expect(fake.batches[0]?.keys).toEqual(['same', 'same~2']);
    for (const handle of handles) expectDone(await pollUntilSettled(provider, handle));
  });

  it('re-attaches to a batch from the handle alone (a restarted process) without creating another', async () => {
    fake.setOptions({ batchCompletion: 'manual' });
    const handle = await providerFor(fake).submit!(imageRequest({ taskKey: 'survivor' }));
    await fake.finishBatch(fake.batches[0]!.name);
    const restarted = providerFor(fake);
    expectDone(await pollUntilSettled(restarted, handle));
    expect(fake.batches).toHaveLength(1);
    expect(fake.generateCalls.filter((call) => call.billed)).toHaveLength(1);
  });

  it.each(['BATCH_STATE_EXPIRED', 'BATCH_STATE_FAILED', 'BATCH_STATE_CANCELLED'] as const)('reports every request of a batch that ended %s as failed and retryable', async (state) => {
    fake.setOptions({ batchCompletion: 'manual' });
    const provider = providerFor(fake);
    const [inBatch, online] = await Promise.all([
      provider.submit!(imageRequest({ taskKey: 'x' })),
      provider.submit!(imageRequest({ taskKey: 'y', providerOptions: { batchRetry: 'online' } })),
    ]);
    await fake.finishBatch(fake.batches[0]!.name, state);
    const first = await pollUntilSettled(provider, inBatch);
    expect(first).toMatchObject({ state: 'failed', resubmitOnline: false, error: { code: 'provider_transient' } });
    if (first.state === 'failed') expect(first.error.message).toContain(`ended (${state.replace('BATCH_', 'JOB_')})`);
    expect(await pollUntilSettled(provider, online)).toMatchObject({ state: 'failed', resubmitOnline: true });
  });

  it('reports a handle it cannot read as failed and retryable, so the request is submitted again', async () => {
    expect(await providerFor(fake).poll!('remote-job-7', new AbortController().signal)).toMatchObject({ state: 'failed', error: { code: 'provider_transient' } });
  });

  it('reports a request whose batch no longer exists as failed', async () => {
    const handle = (await providerFor(fake).submit!(imageRequest({ taskKey: 'gone' }))).replace(/^batches\/\w+/, 'batches/unknown123');
    const outcome = await pollUntilSettled(providerFor(fake), handle);
    expect(outcome).toMatchObject({ state: 'failed', error: { code: 'provider_transient' } });
    expect(outcome.state === 'failed' ? outcome.error.message : '').toContain('NOT_FOUND');
  });

  it('maps each failed line: a block ends the task, a server error is retried (online when asked), a bad request fails', async () => {
    const replies = new Map([
      ['blocked', { kind: 'finish-blocked', finishReason: 'IMAGE_SAFETY' } as const],
      ['overloaded', { kind: 'error', httpStatus: 503, status: 'UNAVAILABLE', message: 'overloaded' } as const],
      ['bad', { kind: 'error', httpStatus: 400, status: 'INVALID_ARGUMENT', message: 'bad ratio' } as const],
      ['no-image', { kind: 'no-image' } as const],
    ]);
    fake.setOptions({ replyFor: (call) => (call.batchKey ? replies.get(call.batchKey) : undefined) });
    const provider = providerFor(fake);
    const options = { providerOptions: { batchRetry: 'online' } };
    const handles = await Promise.all([...replies.keys()].map((taskKey) => provider.submit!(imageRequest({ taskKey, ...options }))));
    const outcomes = await Promise.all(handles.map((handle) => pollUntilSettled(provider, handle)));
    expect(outcomes.map((outcome) => (outcome.state === 'failed' ? [outcome.error.code, outcome.resubmitOnline] : outcome.state))).toEqual([
      ['provider_blocked', false],
      ['provider_transient', true],
      ['provider_invalid', false],
      ['provider_transient', true],
    ]);
  });

  it('takes a request out of its group when its task is canceled before the batch goes out', async () => {
    const provider = providerFor(fake, { batch: { maxRequestsPerBatch: 100, gatherMs: 200, pollIntervalMs: 10 } });
    const controller = new AbortController();
    const canceled = provider.submit!(imageRequest({ taskKey: 'canceled', signal: controller.signal }));
    const kept = provider.submit!(imageRequest({ taskKey: 'kept' }));
    controller.abort();
    expect((await thrownBy(() => canceled)).code).toBe('canceled');
    await kept;
    expect(fake.batches[0]?.keys).toEqual(['kept']);
  });

  it('cancels the remote batch once every request this process put in it is canceled', async () => {
    fake.setOptions({ batchCompletion: 'manual' });
    const provider = providerFor(fake);
    const handles = await Promise.all(['a', 'b'].map((taskKey) => provider.submit!(imageRequest({ taskKey }))));
    await provider.cancel!(handles[0]!);
    expect(fake.batches[0]?.state).toBe('BATCH_STATE_PENDING');
    await provider.cancel!(handles[1]!);
    expect(fake.batches[0]?.state).toBe('BATCH_STATE_CANCELLED');
  });

  it('fails every request of a group whose batch could not be created, with the mapped error and no key in it', async () => {
    fake.setOptions({ apiKeys: ['another-key'] });
    const error = await thrownBy(() => providerFor(fake).submit!(imageRequest({ taskKey: 'k' })));
    expect(error.code).toBe('provider_paused');
    expect(error.message).not.toContain(canaryApiKey);
  });

  it('keeps a batch whose creation answer was lost (found by its name) instead of creating and paying for a second', async () => {
    // Another batch of the account, so the lookup has to pick the right one.
    await providerFor(fake).submit!(imageRequest({ taskKey: 'earlier' }));
    fake.setOptions({ loseBatchCreateResponses: 1 });
    const provider = providerFor(fake);
    const handles = await Promise.all([provider.submit!(imageRequest({ taskKey: 'lost-a' })), provider.submit!(imageRequest({ taskKey: 'lost-b' }))]);
    expect(fake.batches).toHaveLength(2);
    const created = fake.batches[1]!;
    expect(created.keys).toEqual(expect.arrayContaining(['lost-a', 'lost-b']));
    expect(handles.map((handle) => parseBatchHandle(handle)?.batchName)).toEqual([created.name, created.name]);
    expect(fake.requests.some((request) => request.method === 'GET' && request.path === '/v1beta/batches')).toBe(true);
    for (const handle of handles) expect(expectDone(await pollUntilSettled(provider, handle)).images).toHaveLength(1);
    expect(fake.batches).toHaveLength(2);
  });

  it('reports a dropped creation as transient when no batch of that name exists, so the request is submitted again', async () => {
    await providerFor(fake).submit!(imageRequest({ taskKey: 'earlier' }));
    fake.setOptions({ dropBatchCreates: 1 });
    const error = await thrownBy(() => providerFor(fake).submit!(imageRequest({ taskKey: 'dropped' })));
    expect(error.code).toBe('provider_transient');
    expect(fake.requests.some((request) => request.method === 'GET' && request.path === '/v1beta/batches')).toBe(true);
    expect(fake.batches).toHaveLength(1);
  });
});

describe('batch result file', () => {
  let directory: string;
  beforeEach(async () => {
    directory = await mkdtemp(path.join(os.tmpdir(), 'imagefleet-result-file-'));
  });
  afterEach(() => rm(directory, { recursive: true, force: true }));

  it('indexes lines by key in one streamed pass (key first or not, large lines, no final newline) and reads one line', async () => {
    const big = 'x'.repeat(300_000);
    const lines = [
      JSON.stringify({ key: 'first', response: { text: big } }),
      JSON.stringify({ response: { text: 'key later' }, key: 'second' }),
      '',
      JSON.stringify({ key: 'quoted \\"key\\"', error: { code: 13 } }),
      JSON.stringify({ key: 'last', response: { text: 'no newline after me' } }),
    ];
    const filePath = path.join(directory, 'results.jsonl');
    await writeFile(filePath, lines.join('\n'));
    const file = await BatchResultFile.index(filePath);
    expect(file.keys).toEqual(['first', 'second', 'quoted \\"key\\"', 'last']);
    expect(await file.line('second')).toEqual({ response: { text: 'key later' }, key: 'second' });
    expect(await file.line('first')).toEqual({ key: 'first', response: { text: big } });
    expect(await file.line('last')).toEqual({ key: 'last', response: { text: 'no newline after me' } });
    expect(await file.line('missing')).toBeUndefined();
  });
});

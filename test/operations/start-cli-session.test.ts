import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { plan } from '../../src/core/plan.js';
import { systemClock } from '../../src/engine/system-clock.js';
import type { CliSessionRecord, CliSessionRecords } from '../../src/operations/cli-session-record.js';
import { planCliSession, startCliSession, type CliSessionSpec } from '../../src/operations/start-cli-session.js';
import { submitJob, type SubmitJobDependencies, type SubmitJobOptions } from '../../src/operations/submit-job.js';
import { AssetImporter } from '../../src/store/blobs/asset-importer.js';
import { createEngineHarness, waitFor, type EngineHarness } from '../support/engine-harness.js';
import { ScriptedProvider, tinyPng } from '../support/scripted-provider.js';

let harness: EngineHarness | undefined;

afterEach(async () => {
  await harness?.cleanup();
  harness = undefined;
});

/** Session records kept in memory: what the operation writes, in order. */
function memoryRecords() {
  const byId = new Map<string, CliSessionRecord>();
  const writes: Array<string | null> = [];
  const records: CliSessionRecords = {
    read: (sessionId) => Promise.resolve(byId.get(sessionId)),
    write: (record) => Promise.resolve(void (byId.set(record.session_id, record), writes.push(record.job_id))),
    remove: (sessionId) => Promise.resolve(void byId.delete(sessionId)),
  };
  return { records, byId, writes };
}

async function setUp() {
  harness = await createEngineHarness({ providers: [new ScriptedProvider()] });
  const { store, registry, blobs, engine, directory } = harness;
  const counts = { plans: 0 };
  const submitDependencies: SubmitJobDependencies = {
    jobs: store.jobs,
    assets: store.assets,
    groups: store.groups,
    providers: registry,
    limitsFor: () => ({ requestsPerMinute: 0, maxConcurrency: 2, cooldownMs: 0 }),
    clock: systemClock,
    random: Math.random,
    afterCreate: () => engine.wake(),
    planner: (spec, context) => {
      counts.plans += 1;
      return plan(spec, context);
    },
  };
  const importer = new AssetImporter(store.assets, blobs, () => Date.now());
  const reference = path.join(directory, 'chair.png');
  await writeFile(reference, await tinyPng());
  const memory = memoryRecords();
  const dependencies = {
    submitJob: (input: unknown, options?: SubmitJobOptions) => submitJob(input, submitDependencies, options),
    importAssetFile: (filePath: string, originalName: string) => importer.importAssetFile(filePath, originalName),
    records: memory.records,
    clock: systemClock,
  };
  const spec: CliSessionSpec = {
    provider: 'scripted',
    model: 'scripted-model',
    seed: 3,
    countPerPair: 2,
    combos: [{ id: 'chairs', referenceFiles: [reference], variables: {} }],
    prompts: [{ id: 'hero', text: 'a hero shot', variables: {} }],
  };
  return { store, engine, counts, dependencies, memory, spec };
}

const record = { cwd: '/work', out: '/work/out', layout: '{combo}/{prompt_id}', config: { command: 'run' } };

describe('CLI session operations', () => {
  it('a preview plans once and stores nothing', async () => {
    const { store, counts, dependencies, memory, spec } = await setUp();
    const preview = await planCliSession({ sessionId: '20261121-153000-k3f9', spec }, dependencies);
    expect(preview.plan.tasks).toHaveLength(2);
    expect(counts.plans).toBe(1);
    expect(await store.jobs.listJobs({})).toEqual([]);
    expect(memory.writes).toEqual([]);
  });

  it('starting plans once, writes the record before the job, then its job id', async () => {
    const { counts, dependencies, memory, spec } = await setUp();
    const started = await startCliSession({ sessionId: '20261121-153000-k3f9', spec, record }, dependencies);
    expect(counts.plans).toBe(1);
    if (started.status !== 'submitted') throw new Error('expected a submitted session');
    expect(started.job.name).toBe('20261121-153000-k3f9');
    expect(started.callCount).toBe(2);
    expect(memory.writes).toEqual([null, started.job.id]);
    expect(memory.byId.get('20261121-153000-k3f9')).toMatchObject({ job_id: started.job.id, out: '/work/out', parent_session: null });
  });

  it('when every call already completed: nothing to do, no job and no record', async () => {
    const { store, engine, counts, dependencies, memory, spec } = await setUp();
    const first = await startCliSession({ sessionId: '20261121-153000-aaaa', spec, record }, dependencies);
    if (first.status !== 'submitted') throw new Error('expected a submitted session');
    engine.start();
    await waitFor(async () => (await store.jobs.getJob(first.job.id))?.status === 'completed', 10_000, 'first session completed');
    counts.plans = 0;

    const again = await startCliSession({ sessionId: '20261121-153000-bbbb', spec, record }, dependencies);
    expect(again).toEqual({ status: 'nothing_to_do', skippedTaskCount: 2 });
    expect(counts.plans).toBe(1);
    expect(memory.byId.has('20261121-153000-bbbb')).toBe(false);
    expect(await store.jobs.listJobs({})).toHaveLength(1);
  });
});

import { describe, expect, it } from 'vitest';
import type { LimitState } from '../../../src/engine/limits/limit-state.js';
import type { ProviderLimitPolicy } from '../../../src/engine/ports.js';
import { ClaimPlanner, withLiftsApplied, type ClaimStep, type RunnableJob } from '../../../src/engine/scheduling/claim-planner.js';
import type { QueuedTaskHead } from '../../../src/engine/scheduling/task-availability.js';

const nowMs = 10_000_000;

function policy(overrides: Partial<ProviderLimitPolicy> = {}): ProviderLimitPolicy {
  return { providerKey: 'p:m', providerId: 'p', requestsPerMinute: 0, maxConcurrency: 100, cooldownMs: 0, credentialFingerprint: undefined, ...overrides };
}

function job(id: string, overrides: Partial<RunnableJob> = {}): RunnableJob {
  return {
    id,
    providerKey: 'p:m',
    lane: 'online',
    execution: 'parallel',
    status: 'queued',
    budgetUsd: undefined,
    spentUsd: 0,
    runningCount: 0,
    inFlightUsd: 0,
    priorityRank: 1,
    queuePosition: 0,
    lastClaimedAtMs: 0,
    createdAtMs: 0,
    ...overrides,
  };
}

/** An in-memory queue of tasks per job, standing in for the adapter's head reads. */
class TaskRows {
  private readonly queued = new Map<string, Array<QueuedTaskHead & { ordinal: number }>>();

  add(jobId: string, count: number, overrides: Partial<QueuedTaskHead> = {}): this {
    const rows = this.queued.get(jobId) ?? [];
    for (let index = 0; index < count; index += 1) {
      rows.push({ id: `${jobId}-t${rows.length}`, ordinal: rows.length, availableAtMs: 0, estimatedCostUsd: 0.01, ...overrides });
    }
    this.queued.set(jobId, rows);
    return this;
  }

  head(jobId: string, availableOnly: boolean): QueuedTaskHead | undefined {
    const rows = this.queued.get(jobId) ?? [];
    const row = availableOnly ? rows.find((candidate) => candidate.availableAtMs <= nowMs) : rows[0];
    return row && { id: row.id, availableAtMs: row.availableAtMs, estimatedCostUsd: row.estimatedCostUsd };
  }

  /** The next `limit` heads in head order, as `readHeadTasks` reads them ahead. */
  heads(jobId: string, availableOnly: boolean, limit: number): QueuedTaskHead[] {
    const rows = this.queued.get(jobId) ?? [];
    return (availableOnly ? rows.filter((candidate) => candidate.availableAtMs <= nowMs) : rows)
      .slice(0, limit)
      .map((row) => ({ id: row.id, availableAtMs: row.availableAtMs, estimatedCostUsd: row.estimatedCostUsd }));
  }

  lease(taskId: string): void {
    for (const rows of this.queued.values()) {
      const index = rows.findIndex((row) => row.id === taskId);
      if (index >= 0) rows.splice(index, 1);
    }
  }
}

interface PlanInput {
  policies?: ProviderLimitPolicy[];
  jobs: RunnableJob[];
  tasks: TaskRows;
  states?: LimitState[];
  running?: Array<[string, number]>;
  startsInWindow?: Array<[string, number]>;
  maxTasks: number;
}

/** A planner over the input's policies, limit states and jobs, at `nowMs`. */
function plannerFor(input: PlanInput): ClaimPlanner {
  return new ClaimPlanner(
    input.policies ?? [policy()],
    {
      nowMs,
      states: new Map((input.states ?? []).map((state) => [state.scopeKey, state])),
      runningByLimitKey: new Map(input.running ?? []),
      startsInWindowByLimitKey: new Map(input.startsInWindow ?? []),
    },
    input.jobs,
    input.maxTasks,
  );
}

/** Runs the planner the way the adapter does; returns the steps that write. */
function plan(input: PlanInput): Array<Exclude<ClaimStep, { kind: 'read-head' } | { kind: 'done' }>> {
  const planner = plannerFor(input);
  const writes: Array<Exclude<ClaimStep, { kind: 'read-head' } | { kind: 'done' }>> = [];
  for (let step = planner.next(); step.kind !== 'done'; step = planner.next()) {
    if (step.kind === 'read-head') planner.provideHead(step.jobId, input.tasks.head(step.jobId, step.availableOnly));
    else {
      if (step.kind === 'lease') input.tasks.lease(step.taskId);
      writes.push(step);
    }
  }
  return writes;
}

/**
 * Runs the planner the way the SQLite adapter does: heads read ahead (`provideHeads`), and the
 * leases written only after the plan, so no read sees them.
 */
function planReadingAhead(input: PlanInput): ReturnType<typeof plan> {
  const planner = plannerFor(input);
  const writes: ReturnType<typeof plan> = [];
  for (let step = planner.next(); step.kind !== 'done'; step = planner.next()) {
    if (step.kind === 'read-head') planner.provideHeads(step.jobId, input.tasks.heads(step.jobId, step.availableOnly, step.limit), step.limit);
    else writes.push(step);
  }
  for (const step of writes) if (step.kind === 'lease') input.tasks.lease(step.taskId);
  return writes;
}

function leasedTasks(writes: ReturnType<typeof plan>): string[] {
  return writes.flatMap((step) => (step.kind === 'lease' ? [step.taskId] : []));
}

describe('the claim planner', () => {
  it('plans the same claim from heads read ahead as from a head read after each lease', () => {
    const cases: Array<() => PlanInput> = [
      () => ({ jobs: [job('a'), job('b', { priorityRank: 1 })], tasks: new TaskRows().add('a', 3).add('b', 4), maxTasks: 6 }),
      () => ({ jobs: [job('a', { budgetUsd: 0.035 }), job('b')], tasks: new TaskRows().add('a', 5).add('b', 2), maxTasks: 8 }),
      () => ({ jobs: [job('a')], tasks: new TaskRows().add('a', 2).add('a', 2, { availableAtMs: nowMs + 1 }).add('a', 2), maxTasks: 5 }),
      () => ({ jobs: [job('a', { execution: 'sequential' }), job('b')], tasks: new TaskRows().add('a', 3).add('b', 3), maxTasks: 4 }),
      () => ({ policies: [policy({ maxConcurrency: 3 })], jobs: [job('a'), job('b')], tasks: new TaskRows().add('a', 4).add('b', 4), maxTasks: 16 }),
    ];
    for (const input of cases) {
      const single = plan(input());
      expect(single.length).toBeGreaterThan(0);
      expect(planReadingAhead(input())).toEqual(single);
    }
  });

  it('takes a job’s tasks in order and reports the job’s first claim once', () => {
    const writes = plan({ jobs: [job('a')], tasks: new TaskRows().add('a', 5), maxTasks: 3 });
    expect(leasedTasks(writes)).toEqual(['a-t0', 'a-t1', 'a-t2']);
    expect(writes.map((step) => step.kind === 'lease' && step.jobStarting)).toEqual([true, false, false]);
  });

  it('gives every job of the same priority a turn, serves priority first, and within one instant lets age break the tie', () => {
    const tasks = new TaskRows().add('big', 10).add('small', 2).add('bulk', 5);
    const jobs = [job('big', { createdAtMs: 1 }), job('small', { createdAtMs: 2 }), job('bulk', { priorityRank: 0 })];
    // One batch is one instant: once both jobs were served "now", the older one goes first (as N single claims at that instant would).
    expect(leasedTasks(plan({ jobs, tasks, maxTasks: 6 }))).toEqual(['big-t0', 'small-t0', 'big-t1', 'big-t2', 'big-t3', 'big-t4']);
  });

  it('claims the same tasks in one batch as in single claims one after another', () => {
    const build = () => ({
      tasks: new TaskRows().add('a', 4).add('b', 3).add('seq', 3),
      jobs: [job('a', { createdAtMs: 1 }), job('b', { createdAtMs: 2, lastClaimedAtMs: 5 }), job('seq', { execution: 'sequential', createdAtMs: 3 })],
    });
    const batch = build();
    const batched = leasedTasks(plan({ ...batch, maxTasks: 5 }));

    const single = build();
    const oneByOne: string[] = [];
    for (let index = 0; index < 5; index += 1) {
      const [step] = plan({ ...single, maxTasks: 1 });
      if (step?.kind !== 'lease') break;
      oneByOne.push(step.taskId);
      // What the store holds after the single claim: the job served now, one more task running.
      const picked = single.jobs.find((candidate) => candidate.id === step.jobId)!;
      Object.assign(picked, { status: 'processing', lastClaimedAtMs: nowMs, runningCount: picked.runningCount + 1, inFlightUsd: picked.inFlightUsd + 0.01 });
    }
    expect(batched).toEqual(oneByOne);
    expect(batched.filter((taskId) => taskId.startsWith('seq'))).toEqual(['seq-t0']);
  });

  it('runs a sequential job one task at a time, waiting for its next task even while it backs off', () => {
    expect(leasedTasks(plan({ jobs: [job('s', { execution: 'sequential', runningCount: 1 })], tasks: new TaskRows().add('s', 3), maxTasks: 3 }))).toEqual([]);
    const backingOff = new TaskRows().add('s', 1, { availableAtMs: nowMs + 5_000 }).add('s', 2);
    expect(leasedTasks(plan({ jobs: [job('s', { execution: 'sequential' })], tasks: backingOff, maxTasks: 3 }))).toEqual([]);
    // A parallel job skips the task that backs off.
    const parallel = new TaskRows().add('p', 1, { availableAtMs: nowMs + 5_000 }).add('p', 2);
    expect(leasedTasks(plan({ jobs: [job('p')], tasks: parallel, maxTasks: 3 }))).toEqual(['p-t1', 'p-t2']);
  });

  it('stops at the concurrency cap, counting calls already running under the key', () => {
    const writes = plan({ policies: [policy({ maxConcurrency: 4 })], running: [['p:m', 1]], jobs: [job('a')], tasks: new TaskRows().add('a', 10), maxTasks: 10 });
    expect(leasedTasks(writes)).toHaveLength(3);
  });

  it('stops when the RPM window fills, and after one start under a cool-down', () => {
    const rpm = plan({ policies: [policy({ requestsPerMinute: 5 })], startsInWindow: [['p:m', 3]], jobs: [job('a')], tasks: new TaskRows().add('a', 10), maxTasks: 10 });
    expect(leasedTasks(rpm)).toHaveLength(2);
    const cooldown = plan({ policies: [policy({ cooldownMs: 500 })], jobs: [job('a')], tasks: new TaskRows().add('a', 10), maxTasks: 10 });
    expect(leasedTasks(cooldown)).toHaveLength(1);
  });

  it('keeps each lane on its own limits', () => {
    const batchPolicy = policy({ providerKey: 'p:m@batch', lane: 'batch', jobProviderKey: 'p:m', maxConcurrency: 2 });
    const writes = plan({
      policies: [policy({ maxConcurrency: 1 }), batchPolicy],
      jobs: [job('online', { createdAtMs: 1 }), job('batch', { lane: 'batch', createdAtMs: 2 })],
      tasks: new TaskRows().add('online', 5).add('batch', 5),
      maxTasks: 10,
    });
    expect(leasedTasks(writes)).toEqual(['online-t0', 'batch-t0', 'batch-t1']);
    expect(writes.flatMap((step) => (step.kind === 'lease' ? [step.policy.providerKey] : []))).toEqual(['p:m', 'p:m@batch', 'p:m@batch']);
  });

  it('holds a job to its budget: skips while calls are in flight, pauses it when none are', () => {
    const tasks = new TaskRows().add('a', 10, { estimatedCostUsd: 0.04 });
    const waiting = plan({ jobs: [job('a', { budgetUsd: 0.1, spentUsd: 0.04, runningCount: 1, inFlightUsd: 0.04 })], tasks, maxTasks: 5 });
    expect(waiting).toEqual([]);
    const paused = plan({ jobs: [job('a', { budgetUsd: 0.1 })], tasks: new TaskRows().add('a', 10, { estimatedCostUsd: 0.04 }), maxTasks: 5 });
    // Two fit (0.08); the third would pass 0.10 but two are in flight: wait, no pause.
    expect(paused.map((step) => step.kind)).toEqual(['lease', 'lease']);
    const spent = plan({ jobs: [job('a', { budgetUsd: 0.1, spentUsd: 0.08 })], tasks: new TaskRows().add('a', 10, { estimatedCostUsd: 0.04 }), maxTasks: 5 });
    expect(spent).toEqual([
      { kind: 'pause-for-budget', jobId: 'a', reason: 'Budget reached: $0.0800 spent of $0.1000, and the next task would pass it. Raise the budget and resume to continue.' },
    ]);
  });

  it('leaves a paused key alone and claims under it once the lifted pause is applied', () => {
    const paused: LimitState = { scopeKey: 'p', pausedReason: 'bad key', pausedUntilMs: undefined, pausedCredentialFingerprint: undefined, nextRequestAtMs: 0, concurrencyLimit: undefined };
    expect(plan({ policies: [policy({ credentialFingerprint: undefined })], states: [paused], jobs: [job('a')], tasks: new TaskRows().add('a', 2), maxTasks: 2 })).toEqual([]);
    const lifted = [...withLiftsApplied(new Map([['p', paused]]), ['p']).values()];
    expect(leasedTasks(plan({ states: lifted, jobs: [job('a')], tasks: new TaskRows().add('a', 2), maxTasks: 2 }))).toEqual(['a-t0', 'a-t1']);
  });
});

/**
 * Runs one session (a `cli` job) to its end in this process: the engine claims and runs tasks,
 * every completed image is placed in the output tree, the session log mirrors the store, and the
 * progress display follows the engine's events. It ends when the job ends, when it cannot go on
 * (budget reached, provider paused for a bad key, job paused or canceled elsewhere), or on Ctrl-C:
 * once = stop claiming and let in-flight calls finish; twice = abort them now (their leases are
 * given back, so `resume` continues at once).
 */
import type { GeneratedImage } from '../../core/image.js';
import type { Job, JobStatus } from '../../core/job.js';
import { pauseScopesOf, providerKeyText } from '../../core/limit-key.js';
import { parsePathTemplate } from '../../core/path-template.js';
import { buildSessionLog, formatSessionJobId, sessionJobIdWidth, type SessionLogSummary } from '../../core/session-log.js';
import type { Task } from '../../core/task.js';
import type { DomainEvent } from '../../core/events.js';
import type { JobStatusReport } from '../../engine/job-status.js';
import type { Fleet } from '../../fleet/create-fleet.js';
import { findLastingProviderPause } from '../../operations/find-lasting-provider-pause.js';
import { formatLearnedRate } from '../../operations/learned-rate-status.js';
import { listImages } from '../../operations/list-images.js';
import { readJobPlan } from '../../operations/read-job-plan.js';
import type { CliIo } from '../cli-context.js';
import { exitCodes } from '../handle-cli-error.js';
import { layoutVariables, OutputTree } from './output-tree.js';
import { createProgressDisplay, formatDuration, formatUsd, type InFlightCall } from './progress-display.js';
import type { SessionRecord } from './session-records.js';

/** How often the loop looks at the store, ms. */
const tickMs = 250;
/**
 * How often the session log is rewritten at most, ms: every second, and less often for sessions
 * so large that rebuilding it costs real time (100,000 calls: every 10 s).
 */
function logEveryMs(taskCount: number): number {
  return Math.max(1_000, Math.min(30_000, Math.round(taskCount / 10)));
}
/** How often images completed by other processes are looked for, ms. */
const sweepEveryMs = 5_000;
/** A provider pause shorter than this is waited out; a longer one (bad key, daily quota) ends the run. */
const waitablePauseMs = 120_000;
/** A pause already recorded is only trusted after the engine had time to lift it (key changed). */
const pauseCheckAfterMs = 2_000;

export interface SessionRunInput {
  fleet: Fleet;
  record: SessionRecord;
  job: Job;
  io: CliIo;
  /** Machine-readable output: progress goes to stderr as plain lines; the caller prints JSON. */
  json: boolean;
}

export interface SessionOutcome {
  exitCode: number;
  jobStatus: JobStatus;
  /** Why the run stopped before the job ended, if it did. */
  stoppedBecause: string | undefined;
  interrupted: boolean;
  summary: SessionLogSummary;
  out: string;
  logPath: string;
  elapsedSeconds: number;
}

/** Places the completed images and writes the session log, without running anything (status, cancel). */
export async function syncSessionOutputs(fleet: Fleet, record: SessionRecord, jobId: string): Promise<{ summary: SessionLogSummary; logPath: string }> {
  const session = new SessionMirror(fleet, record, jobId);
  await session.load();
  await session.sweep();
  const summary = await session.writeLog();
  return { summary, logPath: session.tree.logPath(record.session_id) };
}

export async function runSession(input: SessionRunInput): Promise<SessionOutcome> {
  const { fleet, record, io } = input;
  const jobId = input.job.id;
  const clock = (): number => Date.now();
  const startedAtMs = clock();
  const session = new SessionMirror(fleet, record, jobId);
  const out = input.json ? io.stderr : io.stdout;
  const display = createProgressDisplay(out, { live: !input.json });

  const reclaimed = await fleet.reclaimDeadLeases();
  if (reclaimed.requeued + reclaimed.poisoned > 0) {
    display.line(`Took back ${reclaimed.requeued + reclaimed.poisoned} call(s) from a run that no longer exists (${reclaimed.owners.join(', ')}); they start again now.`);
  }
  let job = input.job;
  if (job.status === 'paused') job = await fleet.engine.resumeJob(jobId);
  await session.load();
  await session.sweep();
  await session.writeLog();

  const inFlight = new Map<string, InFlightCall>();
  const exportQueue = new Set<string>();
  let interrupts = 0;
  let stopReason: string | undefined;
  let fatal: unknown;
  let jobFinished = isTerminal(job.status);
  let dirty = false;
  let wakeLoop: (() => void) | undefined;
  const wake = (): void => wakeLoop?.();
  const providerScopes = new Set(pauseScopesOf(job.provider, job.model));

  const onEvent = (event: DomainEvent): void => {
    if (event.type === 'provider.paused') {
      const { scopeKey, untilMs, reason } = event.payload;
      if (providerScopes.has(scopeKey) && (untilMs === null || untilMs - clock() > waitablePauseMs)) {
        stopReason ??= `${job.provider} is paused: ${reason}`;
        wake();
      }
      return;
    }
    if (event.type === 'provider.rate_limited') {
      if (providerScopes.has(event.payload.scopeKey)) display.line(`… ${job.provider} asked to slow down; waiting until ${new Date(event.payload.untilMs).toLocaleTimeString()}.`);
      return;
    }
    if (event.jobId !== jobId) return;
    dirty = true;
    const label = session.label(event.taskId ?? '');
    switch (event.type) {
      case 'task.started':
        inFlight.set(event.taskId, { label, attempt: event.payload.attempt, fraction: undefined });
        break;
      case 'task.progress': {
        const call = inFlight.get(event.taskId);
        if (call) call.fraction = event.payload.fraction;
        break;
      }
      case 'task.completed':
        inFlight.delete(event.taskId);
        exportQueue.add(event.taskId);
        break;
      case 'task.retrying':
        inFlight.delete(event.taskId);
        display.line(`↻ ${label}: ${event.payload.message} (trying again in ${formatDuration((event.payload.availableAtMs - clock()) / 1000)})`);
        break;
      case 'task.canceled':
        inFlight.delete(event.taskId);
        break;
      case 'task.failed':
        inFlight.delete(event.taskId);
        display.line(event.payload.status === 'blocked' ? `⊘ ${label} blocked by the provider's safety filter: ${event.payload.message}` : `✗ ${label} failed: ${event.payload.message}`);
        break;
      case 'job.finished':
        jobFinished = true;
        wake();
        break;
    }
  };
  const unsubscribe = fleet.engine.subscribe(onEvent);

  let stopping: Promise<void> | undefined;
  let engineStopped = false;
  const stopEngine = (graceMs: number): void => {
    stopping ??= fleet.engine.stop(graceMs).then(
      () => {
        engineStopped = true;
        wake();
      },
      (error: unknown) => {
        fatal ??= error;
        engineStopped = true;
        wake();
      },
    );
  };
  const stopListening = io.interrupts(() => {
    interrupts += 1;
    if (interrupts === 1) {
      display.line(`Stopping: no new calls; letting ${inFlight.size} in flight finish (press Ctrl-C again to stop them now)…`);
      stopEngine(fleet.config.engine.shutdownGraceMs);
    } else if (interrupts === 2) {
      display.line('Stopping now: calls in flight are aborted and given back.');
      stopEngine(0);
      void fleet.engine.stop(0);
    }
    wake();
  });

  let lastLogAtMs = clock();
  let lastSweepAtMs = clock();
  let report: JobStatusReport | undefined;
  try {
    if (!jobFinished) fleet.start();
    for (;;) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(finish, tickMs);
        function finish(): void {
          clearTimeout(timer);
          wakeLoop = undefined;
          resolve();
        }
        wakeLoop = finish;
      });
      try {
        for (const taskId of [...exportQueue]) {
          exportQueue.delete(taskId);
          for (const output of await session.exportTask(taskId)) display.completion(`${session.label(taskId)} → ${output}`);
        }
        report = await fleet.jobStatus(jobId);
        job = report.job;
        display.update({
          counts: {
            total: report.counts.total - report.counts.canceled,
            completed: report.counts.completed,
            failed: report.counts.failed,
            blocked: report.counts.blocked,
            running: report.counts.running,
            pending: report.counts.pending,
          },
          ratePerMinute: report.ratePerMinute,
          learnedRate: await learnedRateText(fleet, job),
          etaSeconds: report.etaSeconds,
          spentUsd: report.cost.spentUsd,
          inFlight: [...inFlight.values()],
          recent: [],
        });
        if (isTerminal(job.status)) jobFinished = true;
        else if (job.status === 'paused') stopReason ??= `the session is paused: ${job.statusReason ?? 'paused'}`;
        else if (stopReason === undefined && report.counts.running === 0 && clock() - startedAtMs > pauseCheckAfterMs) stopReason = await pausedProviderReason(fleet, job, clock());
        if (clock() - lastSweepAtMs >= sweepEveryMs || (stopping !== undefined && engineStopped)) {
          lastSweepAtMs = clock();
          if (report.counts.completed > session.exportedImageCount) await session.sweep();
        }
        if ((dirty || jobFinished) && clock() - lastLogAtMs >= logEveryMs(session.taskCount)) {
          dirty = false;
          lastLogAtMs = clock();
          await session.writeLog();
        }
      } catch (error) {
        fatal ??= error;
      }
      if (stopping === undefined && (jobFinished || stopReason !== undefined || fatal !== undefined)) stopEngine(fleet.config.engine.shutdownGraceMs);
      if (stopping !== undefined && engineStopped) break;
    }
  } finally {
    stopListening();
    if (stopping === undefined) stopEngine(0);
    await stopping;
    unsubscribe();
  }

  // Everything that completed, also in the last moments and in other processes, lands in the tree.
  let summary: SessionLogSummary;
  try {
    for (const taskId of exportQueue) await session.exportTask(taskId);
    await session.sweep();
    summary = await session.writeLog();
    report = await fleet.jobStatus(jobId);
  } finally {
    display.stop();
  }
  // eslint-disable-next-line @typescript-eslint/only-throw-error -- rethrowing whatever the export or the store threw, for handleCliError
  if (fatal !== undefined) throw fatal;
  job = report.job;
  const interrupted = interrupts > 0 && !isTerminal(job.status);
  const exitCode = job.status === 'completed' ? exitCodes.success : interrupted ? exitCodes.interrupted : exitCodes.failure;
  return {
    exitCode,
    jobStatus: job.status,
    stoppedBecause: interrupted ? 'interrupted' : isTerminal(job.status) ? undefined : stopReason,
    interrupted,
    summary,
    out: record.out,
    logPath: session.tree.logPath(record.session_id),
    elapsedSeconds: Math.round((clock() - startedAtMs) / 1000),
  };
}

/** The human account of how a session ended, with the command that continues it. */
export function describeOutcome(sessionId: string, outcome: SessionOutcome): string[] {
  const { summary } = outcome;
  const images = `${summary.completed} of ${summary.total} done, ${summary.failed} failed, ${summary.blocked} blocked, ${formatUsd(summary.cost_usd)} spent, ${formatDuration(outcome.elapsedSeconds)}`;
  const lines: string[] = [];
  if (outcome.jobStatus === 'completed') lines.push(`Session ${sessionId} completed: ${images}.`);
  else if (outcome.jobStatus === 'canceled') lines.push(`Session ${sessionId} was canceled: ${images}.`);
  else if (outcome.jobStatus === 'failed') {
    lines.push(`Session ${sessionId} finished with failures: ${images}.`);
    if (summary.failed > 0) lines.push(`  Retry the failed calls with: imagefleet retry ${sessionId}`);
    if (summary.blocked > 0) lines.push(`  Blocked calls are not retried unless named: imagefleet retry ${sessionId} --job ID`);
  } else {
    lines.push(`Session ${sessionId} stopped: ${images}.`);
    if (!outcome.interrupted) lines.push(`  Why: ${outcome.stoppedBecause ?? 'it could not go on'}`);
    lines.push(`  Continue with: imagefleet resume ${sessionId}`);
  }
  lines.push(`  output: ${outcome.out}`, `  log:    ${outcome.logPath}`);
  return lines;
}

/** The session's outcome as JSON for `--json`. */
export function outcomeJson(record: SessionRecord, jobId: string, outcome: SessionOutcome): Record<string, unknown> {
  return {
    session_id: record.session_id,
    job_id: jobId,
    status: outcome.jobStatus,
    exit_code: outcome.exitCode,
    stopped_because: outcome.stoppedBecause ?? null,
    summary: outcome.summary,
    out: outcome.out,
    log: outcome.logPath,
    elapsed_seconds: outcome.elapsedSeconds,
  };
}

function isTerminal(status: JobStatus): boolean {
  return status === 'completed' || status === 'failed' || status === 'canceled';
}

/** A recorded pause of the job's provider that will not lift soon (a bad key, a daily quota). */
async function pausedProviderReason(fleet: Fleet, job: Job, nowMs: number): Promise<string | undefined> {
  const paused = await findLastingProviderPause({ providerId: job.provider, modelId: job.model, nowMs, lastingAfterMs: waitablePauseMs }, fleet);
  return paused ? `${job.provider} is paused: ${paused.pausedReason ?? ''}` : undefined;
}

/**
 * The session's state as this process knows it: its tasks (for labels and layout variables), the
 * images already placed, and how to rebuild the log from the store.
 */
class SessionMirror {
  readonly tree: OutputTree;
  private tasks = new Map<string, Task>();
  private readonly outputsByTask = new Map<string, Map<number, string>>();
  private readonly exportedImageIds = new Set<string>();
  private job: Job | undefined;

  constructor(
    private readonly fleet: Fleet,
    private readonly record: SessionRecord,
    private readonly jobId: string,
  ) {
    this.tree = new OutputTree(record.out, parsePathTemplate(record.layout));
  }

  get exportedImageCount(): number {
    return this.exportedImageIds.size;
  }

  get taskCount(): number {
    return this.tasks.size;
  }

  async load(): Promise<void> {
    const { job, tasks } = await readJobPlan({ jobId: this.jobId }, this.fleet);
    this.job = job;
    this.tasks = new Map(tasks.map((task) => [task.id, task]));
  }

  /** `0007 summer/c1 × hero`. */
  label(taskId: string): string {
    const task = this.tasks.get(taskId);
    if (!task) return taskId.slice(0, 8);
    const id = formatSessionJobId(task.ordinal, sessionJobIdWidth(this.tasks.size));
    return `${id} ${task.variables.combo ?? ''} × ${task.variables.prompt_id ?? task.promptId}`;
  }

  /** Places the images of one completed task; returns the paths of those placed now. */
  async exportTask(taskId: string): Promise<string[]> {
    const images = await listImages({ jobId: this.jobId, taskId }, this.fleet);
    return this.exportImages(images);
  }

  /** Places every completed image of the job not placed yet. */
  async sweep(): Promise<void> {
    const images = await listImages({ jobId: this.jobId }, this.fleet);
    await this.exportImages(images);
  }

  private async exportImages(images: readonly GeneratedImage[]): Promise<string[]> {
    const job = this.job;
    if (!job) return [];
    const placed: string[] = [];
    for (const image of [...images].sort((left, right) => left.index - right.index)) {
      if (this.exportedImageIds.has(image.id)) continue;
      const task = this.tasks.get(image.taskId);
      if (!task) continue;
      const variables = layoutVariables({ sessionId: this.record.session_id, job, task, taskCount: this.tasks.size, image });
      const relative = await this.tree.placeBlob(this.fleet.blobs, image.fileKey, variables);
      this.exportedImageIds.add(image.id);
      const outputs = this.outputsByTask.get(task.id) ?? new Map<number, string>();
      outputs.set(image.index, relative);
      this.outputsByTask.set(task.id, outputs);
      placed.push(relative);
    }
    return placed;
  }

  /** Rebuilds the log from the store and writes it; returns its summary. */
  async writeLog(): Promise<SessionLogSummary> {
    const plan = await readJobPlan({ jobId: this.jobId }, this.fleet);
    const job = plan.job ?? this.job;
    if (!job) throw new Error(`job ${this.jobId} vanished`);
    const { tasks } = plan;
    this.tasks = new Map(tasks.map((task) => [task.id, task]));
    const outputsByOrdinal = new Map<number, string[]>();
    for (const task of tasks) {
      const outputs = this.outputsByTask.get(task.id);
      if (outputs) outputsByOrdinal.set(task.ordinal, [...outputs.entries()].sort(([left], [right]) => left - right).map(([, relative]) => relative));
    }
    const log = buildSessionLog({
      sessionId: this.record.session_id,
      jobId: job.id,
      createdAtMs: Date.parse(this.record.created),
      nowMs: Date.now(),
      jobStatus: job.status,
      jobStatusReason: job.statusReason,
      config: { ...this.record.config, out: this.record.out, layout: this.record.layout, parent_session: this.record.parent_session },
      tasks,
      outputsByOrdinal,
    });
    await this.tree.writeLog(log);
    return log.summary;
  }
}

/** "rate 118/min, learned" when the job's provider key learns its rate; undefined otherwise (or when the store cannot say). */
async function learnedRateText(fleet: Pick<Fleet, 'learnedRate'>, job: Pick<Job, 'provider' | 'model'>): Promise<string | undefined> {
  const learned = await fleet.learnedRate(providerKeyText(job.provider, job.model)).catch(() => undefined);
  return learned && formatLearnedRate(learned);
}

/**
 * Store throughput (issue 17): how many tasks per second worker PROCESSES claim and complete through
 * the `TaskQueue` port of one store — Postgres with 1, 2 and 4 workers, SQLite with 1 and 2 processes
 * on one file — side by side in one run, on one big job of one-image tasks. There is no provider and
 * no file I/O: this is the ceiling the store puts on the engine, not the engine's own speed (that is
 * bench/engine-overhead.ts).
 *
 * Each worker is a child process with its own store (its own SQLite connection, or its own
 * Postgres pool) and claims the way the engine does: one claim loop taking up to its free slots per
 * `claimMany` (16 in flight, IMAGEFLEET_MAX_IN_FLIGHT's default), each claimed task completed at once
 * through `recordAttemptOutcome` (group-committed like the engine's). The clock starts when every
 * worker has opened its store and is told to go, and stops when the last one finds nothing left.
 * Afterwards the store is read through the port: every task `completed`, one image row per task, and
 * the workers' claims and accepted completions each add up to the task count (exactly once).
 *
 * `npm run bench` runs it; on its own: `npx tsx bench/store-throughput.ts`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { loadavg, cpus } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { writeFile } from 'node:fs/promises';
import type { ClaimRequest, Store } from '../src/engine/ports.js';
import { openPostgresStore } from '../src/store/postgres-store.js';
import { defaultPoolSize } from '../src/store/postgres/open-postgres.js';
import { openSqliteStore } from '../src/store/sqlite-store.js';
import { imageRecords, jobInput, openPolicy } from '../test/store/contract/contract-fixtures.js';
import { postgresBinDirectory, startPostgresServer, type PostgresServer } from '../test/support/postgres-server.js';
import type { FigureRow } from './support/figure-rows.js';
import { formatDecimal, formatInteger } from './support/format-figures.js';
import { quantile, table } from './support/api-bench.js';
import { resultFileVariable } from './support/scenario-results.js';
import { median } from './support/statistics.js';
import { storeThroughputScenarioName, type StoreThroughputBenchResult } from './support/store-throughput-result.js';
import { makeTempDataDir } from './support/temp-data-dir.js';

/** Tasks in the job each round drains. */
const tasksPerRound = 2_000;
/** Rounds per configuration; the configurations alternate within each round (forward, then backward). */
const roundCount = 2;
/** Untimed first round of this many tasks per configuration (JIT, first connections). */
const warmupTasks = 300;
/** IMAGEFLEET_MAX_IN_FLIGHT's default: what one engine keeps leased at most. */
const maxInFlight = 16;
const leaseMs = 60_000;
/** A round running longer than this is a hang, not a slow machine. */
const roundTimeoutMs = 300_000;
/** The environment variable that makes this script a worker; its value is the worker's JSON settings. */
const workerVariable = 'STORE_THROUGHPUT_WORKER';

type StoreKind = 'sqlite' | 'postgres';

interface Configuration {
  kind: StoreKind;
  workers: number;
}

const configurations: Configuration[] = [
  { kind: 'sqlite', workers: 1 },
  { kind: 'sqlite', workers: 2 },
  { kind: 'postgres', workers: 1 },
  { kind: 'postgres', workers: 2 },
  { kind: 'postgres', workers: 4 },
];

/** What the parent tells a worker: which store to open. */
interface WorkerSettings {
  kind: StoreKind;
  /** SQLite file path or Postgres connection string. */
  location: string;
  workerId: string;
}

/** What a worker reports when it found nothing left to claim. */
interface WorkerReport {
  claimCalls: number;
  tasksClaimed: number;
  completionsAccepted: number;
  /** Duration of each `claimMany` that returned at least one task, ms. */
  claimLatenciesMs: number[];
  /** Epoch ms of the go signal's arrival and of the last completion. */
  startedAtMs: number;
  endedAtMs: number;
}

interface RoundFigures {
  configuration: Configuration;
  tasks: number;
  durationMs: number;
  tasksPerSecond: number;
  claimP50Ms: number;
  claimP95Ms: number;
  /** Tasks per `claimMany` call that returned work. */
  tasksPerClaim: number;
  /** Tasks each worker completed (the spread shows whether the workers shared the job). */
  tasksPerWorker: number[];
  /** Every task completed once: status, image rows, claims and accepted completions all equal the task count. */
  exactlyOnce: boolean;
  exactlyOnceDetail: string;
  loadAverageAtStart: number;
}

function openStore(kind: StoreKind, location: string): Promise<Store> {
  return kind === 'sqlite' ? openSqliteStore({ databasePath: location }) : openPostgresStore({ connectionString: location });
}

// ---------------------------------------------------------------------------------------------
// Worker process

async function runWorker(settings: WorkerSettings): Promise<void> {
  const store = await openStore(settings.kind, settings.location);
  const input = createInterface({ input: process.stdin });
  const go = new Promise<void>((resolve) => input.once('line', () => resolve()));
  process.stdout.write('ready\n');
  await go;
  input.close();

  const report: WorkerReport = { claimCalls: 0, tasksClaimed: 0, completionsAccepted: 0, claimLatenciesMs: [], startedAtMs: Date.now(), endedAtMs: 0 };
  const request = (): ClaimRequest => ({ nowMs: Date.now(), workerId: settings.workerId, leaseMs, providers: [openPolicy] });
  let inFlight = 0;
  let slotFreed: (() => void) | undefined;
  const completions: Array<Promise<void>> = [];
  for (;;) {
    if (inFlight >= maxInFlight) {
      await new Promise<void>((resolve) => (slotFreed = resolve));
      continue;
    }
    const startedAt = performance.now();
    const claimed = await store.queue.claimMany(request(), maxInFlight - inFlight);
    const latencyMs = performance.now() - startedAt;
    report.claimCalls += 1;
    if (claimed.length === 0) {
      // Nothing queued: every task is claimed by someone. Finish ours, look once more, then stop.
      if (inFlight === 0) break;
      await new Promise<void>((resolve) => (slotFreed = resolve));
      continue;
    }
    report.claimLatenciesMs.push(latencyMs);
    report.tasksClaimed += claimed.length;
    for (const { task, leaseToken } of claimed) {
      inFlight += 1;
      const completion = store.queue
        .recordAttemptOutcome({
          taskId: task.id,
          leaseToken,
          nowMs: Date.now(),
          outcome: { kind: 'completed', images: imageRecords(task.id, task.imageCount), costUsd: 0.01, warnings: [], providerKey: openPolicy.providerKey, maxConcurrency: openPolicy.maxConcurrency },
        })
        .then((outcome) => {
          if (outcome.accepted) report.completionsAccepted += 1;
        })
        .finally(() => {
          inFlight -= 1;
          const wake = slotFreed;
          slotFreed = undefined;
          wake?.();
        });
      completions.push(completion);
    }
  }
  await Promise.all(completions);
  report.endedAtMs = Date.now();
  await store.close();
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

// ---------------------------------------------------------------------------------------------
// Parent: prepare a store, start the workers, measure, verify

interface StartedWorker {
  child: ChildProcess;
  ready: Promise<void>;
  report: Promise<WorkerReport>;
}

function startWorker(settings: WorkerSettings): StartedWorker {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
    env: { ...process.env, [workerVariable]: JSON.stringify(settings), [resultFileVariable]: '' },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const report = new Promise<WorkerReport>((resolve, reject) => {
    lines.on('line', (line) => {
      if (line === 'ready') markReady();
      else if (line.startsWith('{')) resolve(JSON.parse(line) as WorkerReport);
    });
    child.once('exit', (code, signal) => reject(new Error(`worker ${settings.workerId} exited (${code ?? signal}) without a report`)));
  });
  // A worker that dies before "ready" must not leave the parent waiting forever.
  const readyOrDied = Promise.race([ready, report.then(() => undefined)]);
  return { child, ready: readyOrDied, report };
}

async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_resolve, reject) => (timer = setTimeout(() => reject(new Error(message)), timeoutMs)))]);
  } finally {
    clearTimeout(timer);
  }
}

class StoreLocations {
  private databaseCount = 0;
  constructor(
    private readonly directory: string,
    private readonly postgres: PostgresServer | undefined,
  ) {}

  /** A fresh empty store location of `kind`. */
  async next(kind: StoreKind): Promise<string> {
    this.databaseCount += 1;
    if (kind === 'sqlite') return path.join(this.directory, `throughput-${this.databaseCount}.db`);
    if (!this.postgres) throw new Error('Postgres is not available on this machine.');
    return this.postgres.createDatabase(`throughput_${this.databaseCount}`);
  }
}

async function runRound(configuration: Configuration, taskCount: number, locations: StoreLocations): Promise<RoundFigures> {
  const location = await locations.next(configuration.kind);
  const jobId = `throughput-job`;
  const setup = await openStore(configuration.kind, location);
  try {
    const group = await setup.groups.createGroup('Store throughput');
    await setup.jobs.createJob(jobInput({ jobId, groupId: group.id, taskCount, createdAtMs: Date.now() }));
  } finally {
    await setup.close();
  }

  const workers = Array.from({ length: configuration.workers }, (_unused, index) => startWorker({ kind: configuration.kind, location, workerId: `throughput-${configuration.kind}-${index + 1}` }));
  let reports: WorkerReport[];
  let loadAverageAtStart: number;
  try {
    await withTimeout(Promise.all(workers.map((worker) => worker.ready)), 60_000, 'workers did not open their stores within 60 s');
    loadAverageAtStart = loadavg()[0] ?? 0;
    for (const worker of workers) worker.child.stdin!.write('go\n');
    reports = await withTimeout(Promise.all(workers.map((worker) => worker.report)), roundTimeoutMs, `round ran over ${roundTimeoutMs / 1000} s`);
  } finally {
    for (const worker of workers) if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
  }

  const verify = await openStore(configuration.kind, location);
  let completedTasks: number;
  let imageRows: number;
  let tasksWithImages: number;
  try {
    completedTasks = (await verify.jobs.taskCounts(jobId)).completed;
    const images = await verify.images.listImages({ jobId, limit: taskCount * 2 });
    imageRows = images.length;
    tasksWithImages = new Set(images.map((image) => image.taskId)).size;
  } finally {
    await verify.close();
  }
  const claimed = reports.reduce((sum, report) => sum + report.tasksClaimed, 0);
  const accepted = reports.reduce((sum, report) => sum + report.completionsAccepted, 0);
  const exactlyOnce = completedTasks === taskCount && imageRows === taskCount && tasksWithImages === taskCount && claimed === taskCount && accepted === taskCount;
  const durationMs = Math.max(...reports.map((report) => report.endedAtMs)) - Math.min(...reports.map((report) => report.startedAtMs));
  const latencies = reports.flatMap((report) => report.claimLatenciesMs);
  const claimCallsWithWork = latencies.length;
  return {
    configuration,
    tasks: taskCount,
    durationMs,
    tasksPerSecond: taskCount / (durationMs / 1000),
    claimP50Ms: quantile(latencies, 0.5),
    claimP95Ms: quantile(latencies, 0.95),
    tasksPerClaim: claimed / Math.max(1, claimCallsWithWork),
    tasksPerWorker: reports.map((report) => report.completionsAccepted),
    exactlyOnce,
    exactlyOnceDetail: `${completedTasks} completed, ${imageRows} image rows on ${tasksWithImages} tasks, ${claimed} claims, ${accepted} accepted completions of ${taskCount} tasks`,
    loadAverageAtStart,
  };
}

function labelOf(configuration: Configuration): string {
  const processes = configuration.workers === 1 ? '1 process' : `${configuration.workers} processes`;
  return configuration.kind === 'sqlite' ? `SQLite, ${processes} on one file` : `Postgres, ${processes}`;
}

function renderSection(rounds: RoundFigures[], skipped: string | undefined, startLoad: number): string {
  const byConfiguration = configurations
    .map((configuration) => ({ configuration, rounds: rounds.filter((round) => round.configuration === configuration) }))
    .filter((entry) => entry.rounds.length > 0);
  const sqliteFloor = byConfiguration.find((entry) => entry.configuration.kind === 'sqlite' && entry.configuration.workers === 1);
  const floorRate = sqliteFloor ? median(sqliteFloor.rounds.map((round) => round.tasksPerSecond)) : undefined;
  const rows = byConfiguration.map(({ configuration, rounds: ofConfiguration }) => {
    const rate = median(ofConfiguration.map((round) => round.tasksPerSecond));
    return [
      labelOf(configuration),
      ofConfiguration.map((round) => formatInteger(round.tasksPerSecond)).join(', '),
      formatInteger(rate),
      floorRate === undefined ? '—' : `${formatDecimal(rate / floorRate, 2)}×`,
      formatDecimal(median(ofConfiguration.map((round) => round.claimP50Ms)), 1),
      formatDecimal(median(ofConfiguration.map((round) => round.claimP95Ms)), 1),
      formatDecimal(median(ofConfiguration.map((round) => round.tasksPerClaim)), 1),
      ofConfiguration.map((round) => round.tasksPerWorker.join('/')).join('; '),
      ofConfiguration.every((round) => round.exactlyOnce) ? 'yes' : `**NO**: ${ofConfiguration.filter((round) => !round.exactlyOnce).map((round) => round.exactlyOnceDetail).join('; ')}`,
      ofConfiguration.map((round) => formatDecimal(round.loadAverageAtStart, 2)).join(', '),
    ];
  });
  return [
    '## Store throughput (several worker processes)',
    '### Method',
    [
      `\`bench/store-throughput.ts\`: one job of ${formatInteger(tasksPerRound)} one-image tasks, drained by worker **processes**, each with its own store `,
      `(its own SQLite connection; its own Postgres pool of ${defaultPoolSize}, the default) claiming the way the engine does — one claim loop taking up to its free slots per \`claimMany\`, `,
      `${maxInFlight} in flight (IMAGEFLEET_MAX_IN_FLIGHT's default), each claimed task completed at once through \`recordAttemptOutcome\`. No provider, no files: `,
      'this is the ceiling the store puts on a fleet, not the engine\'s speed (see Engine overhead). The clock runs from the go signal (every worker has opened its store) ',
      `to the last worker finding nothing left. ${roundCount} timed rounds per configuration after a ${warmupTasks}-task warm-up; the configurations alternate within each round `,
      '(forward, then backward), so all of them share the machine\'s load over the same minutes. Claim latency is the duration of each `claimMany` that returned work. ',
      'Postgres is a throwaway local cluster (`test/support/postgres-server.ts`: fsync off, synchronous_commit off — a test server; a durable one pays a WAL flush per commit); ',
      'SQLite is WAL with synchronous=NORMAL (no fsync per commit either). Both are on the same disk and the same 2-core machine as the workers, so more workers also means less CPU per worker and for the database.',
    ].join(''),
    '### Figures',
    skipped ? `Not measured: ${skipped}` : '',
    table(['Store, workers', 'tasks/s per round', 'median tasks/s', 'vs SQLite 1 process', 'claim p50 ms', 'claim p95 ms', 'tasks per claim', 'completions per worker', 'every task completed once', 'load at round start'], rows),
    `Load average (1 min) when the scenario started: ${formatDecimal(startLoad, 2)} on ${cpus().length} logical cores. "Every task completed once" is checked through the port after each round: all ${formatInteger(tasksPerRound)} tasks \`completed\`, one image row per task, and the workers' claims and accepted completions each add up to the task count.`,
    '### Reading',
    [
      'On Postgres a claim first takes the provider\'s scope lock (a transaction-scoped advisory lock, docs/decisions/0039) so that RPM and concurrency stay exact across machines; ',
      'claims for one provider therefore run one at a time across every worker, and inside that lock a claim reads each job\'s next heads in one statement and writes its leases in one and their events in one; a group commit writes its completions\' task rows, spend, images and events in one statement each (decision 0050). ',
      'More workers add claimers queuing for the same lock, not claim capacity — the figures show it as claim latency growing with the worker count. ',
      'Every job here is on one provider; jobs on different providers claim in parallel. A real provider call takes seconds, so a fleet needs tasks/s far below these ceilings ',
      '(a 60 RPM key is 1 task/s); the figure that matters for a fleet is the claim latency a worker waits before its call can start.',
    ].join(''),
  ]
    .filter((part) => part !== '')
    .join('\n\n');
}

function summaryRows(rounds: RoundFigures[]): FigureRow[] {
  const rows: FigureRow[] = [];
  for (const configuration of configurations) {
    const ofConfiguration = rounds.filter((round) => round.configuration === configuration);
    if (ofConfiguration.length === 0) continue;
    rows.push({
      benchmark: 'store throughput',
      figure: `${labelOf(configuration)}: tasks/s (claim p95)`,
      value: `${formatInteger(median(ofConfiguration.map((round) => round.tasksPerSecond)))} (${formatDecimal(median(ofConfiguration.map((round) => round.claimP95Ms)), 1)} ms)`,
      goal: '—',
      verdict: 'info',
    });
  }
  const onceEverywhere = rounds.every((round) => round.exactlyOnce);
  rows.push({ benchmark: 'store throughput', figure: 'every task completed exactly once', value: onceEverywhere ? 'yes, every round' : 'NO', goal: 'every round', verdict: onceEverywhere ? 'met' : 'missed' });
  return rows;
}

async function main(): Promise<void> {
  const startLoad = loadavg()[0] ?? 0;
  const directory = await makeTempDataDir('store-throughput');
  const postgresAvailable = postgresBinDirectory() !== undefined;
  const postgres = postgresAvailable ? await startPostgresServer() : undefined;
  const skipped = postgresAvailable ? undefined : 'Postgres server binaries are not installed on this machine (install Debian\'s "postgresql" package), so only SQLite ran.';
  const runnable = configurations.filter((configuration) => configuration.kind === 'sqlite' || postgresAvailable);
  try {
    const locations = new StoreLocations(directory.directory, postgres);
    for (const configuration of runnable) {
      console.log(`store throughput: warm-up, ${labelOf(configuration)}, ${warmupTasks} tasks`);
      await runRound(configuration, warmupTasks, locations);
    }
    const rounds: RoundFigures[] = [];
    for (let round = 1; round <= roundCount; round += 1) {
      const order = round % 2 === 1 ? runnable : [...runnable].reverse();
      for (const configuration of order) {
        const figures = await runRound(configuration, tasksPerRound, locations);
        rounds.push(figures);
        console.log(
          `store throughput: round ${round}/${roundCount}, ${labelOf(configuration)}: ${formatInteger(figures.tasksPerSecond)} tasks/s, claim p50 ${formatDecimal(figures.claimP50Ms, 1)} ms, p95 ${formatDecimal(figures.claimP95Ms, 1)} ms, ` +
            `${formatDecimal(figures.tasksPerClaim, 1)} tasks/claim, per worker ${figures.tasksPerWorker.join('/')}, exactly once: ${figures.exactlyOnce ? 'yes' : `NO (${figures.exactlyOnceDetail})`}, load ${formatDecimal(figures.loadAverageAtStart, 2)}`,
        );
      }
    }
    const result: StoreThroughputBenchResult = { scenario: storeThroughputScenarioName, rows: summaryRows(rounds), section: renderSection(rounds, skipped, startLoad) };
    const resultFile = process.env[resultFileVariable];
    if (resultFile) await writeFile(resultFile, JSON.stringify(result, null, 2));
    else console.log(`\n${result.section}`);
    if (!rounds.every((round) => round.exactlyOnce)) process.exitCode = 1;
  } finally {
    await postgres?.stop();
    await directory.remove();
  }
}

const workerSettings = process.env[workerVariable];
if (workerSettings) await runWorker(JSON.parse(workerSettings) as WorkerSettings);
else await main();

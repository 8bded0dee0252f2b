/**
 * Learned-quota benchmark (issue 18, docs/decisions/0040): the real engine with `GEMINI_RPM` unset
 * (`auto`) against the hidden-quota Gemini fake, beside the users' hand-written loop
 * (`bench/support/users-loop-client.ts`) on its own key of the same fake (`scope: 'key'`), for an
 * unknown quota of 10 per 5 s (120/min) and of 60 per 5 s (720/min), side by side in one run.
 * Two more rounds at the same time: 120/min halved after 3/7 of the run and doubled back after
 * 5/7 (the share of the quota in force, minute by minute), three `imagefleet worker` OS processes
 * sharing one data directory (one database, one API key: one quota; each through its own counting
 * proxy, so the calls of each process are known), and a known quota: `GEMINI_RPM` set to the quota
 * itself, paced evenly at it (as users with a known tier set it). Measured on the fake's arrivals: share of the quota used over
 * the steady minutes, share of calls refused (429), and calls that arrived inside a retry delay the
 * fake had announced to that client.
 *
 * Run by `npm run bench` in its own process; on its own it prints its result as JSON.
 * `LEARNED_QUOTA_RUN_MS` shortens or lengthens the run (default 7 minutes; steady = after minute 2).
 */
import { writeFile } from 'node:fs/promises';
import { loadConfig } from '../src/config/load-config.js';
import { createFleet, type Fleet } from '../src/fleet/create-fleet.js';
import { createGeminiProvider } from '../src/providers/gemini/gemini-provider.js';
import { systemClock } from '../src/engine/system-clock.js';
import { arrivalsInsideRetryDelay, type HiddenQuotaArrival } from '../test/fakes/gemini/hidden-quota-policy.js';
import { startHiddenQuotaServer, type HiddenQuotaServer } from '../test/fakes/gemini/hidden-quota-server.js';
import { resultFileVariable } from './support/scenario-results.js';
import type { LearnedQuotaClientFigures, LearnedQuotaResult } from './support/learned-quota-rows.js';
import { makeTempDataDir } from './support/temp-data-dir.js';
import { runUsersLoopClient } from './support/users-loop-client.js';
import { cleanEnvironment, startCli, type CliProcess } from '../test/support/cli-process.js';
import { startCountingProxy, type CountingProxy } from '../test/support/counting-proxy.js';

const runMs = Number(process.env.LEARNED_QUOTA_RUN_MS ?? 7 * 60_000);
/** Slow start and the first cut happen in the first two minutes; the rest is steady state. */
const steadyStartMs = Math.min(2 * 60_000, runMs / 2);
const model = 'nano-banana-2';
const size = '512';
const engineKey = 'engine-key';
const usersLoopKey = 'users-loop-key';
/** Calls in flight the engine may have: rate × latency at 720/min and 2–4 s is ~36. */
const engineConcurrency = 64;
const latencyMs = { minMs: 2000, maxMs: 4000 };
/** Whole minutes at which the changing round's limit changes (halved, then back). */
const halvedAtMinute = Math.max(1, Math.floor((runMs * 3) / 7 / 60_000));
const doubledAtMinute = Math.max(halvedAtMinute + 1, Math.floor((runMs * 5) / 7 / 60_000));
interface RoundPlan {
  name: string;
  limit: number;
  windowMs: number;
  taskCount: number;
  /** Engines sharing the round's data directory: 1 = in this process; more = `imagefleet worker` OS processes. */
  processes: number;
  /** `GEMINI_RPM` as set by the user; undefined = unset (`auto`). */
  userRequestsPerMinute?: number;
  /** Limit changes at whole minutes of the run. */
  changes: Array<{ atMinute: number; limit: number }>;
}
const rounds: RoundPlan[] = [
  { name: 'unknown 10 per 5 s (120/min)', limit: 10, windowMs: 5000, taskCount: 2000, processes: 1, changes: [] },
  { name: 'unknown 60 per 5 s (720/min)', limit: 60, windowMs: 5000, taskCount: 6000, processes: 1, changes: [] },
  {
    name: `10 per 5 s, halved at minute ${halvedAtMinute}, doubled back at minute ${doubledAtMinute}`,
    limit: 10,
    windowMs: 5000,
    taskCount: 2000,
    processes: 1,
    changes: [
      { atMinute: halvedAtMinute, limit: 5 },
      { atMinute: doubledAtMinute, limit: 10 },
    ],
  },
  { name: 'three worker processes, one data directory, 10 per 5 s', limit: 10, windowMs: 5000, taskCount: 2000, processes: 3, changes: [] },
  // Known: the user set the quota itself. Its window is 5 s, so a minute's worth started at once would be refused but for 10.
  { name: 'known 10 per 5 s (GEMINI_RPM=120, paced evenly)', limit: 10, windowMs: 5000, taskCount: 2000, processes: 1, changes: [], userRequestsPerMinute: 120 },
];

function figures(arrivals: readonly HiddenQuotaArrival[], client: string, startedAtMs: number, quotaPerMinute: number): LearnedQuotaClientFigures {
  const own = arrivals.filter((arrival) => arrival.client === client && arrival.arrivalMs >= startedAtMs && arrival.arrivalMs <= startedAtMs + runMs);
  const steady = own.filter((arrival) => arrival.arrivalMs >= startedAtMs + steadyStartMs);
  const refused = (list: readonly HiddenQuotaArrival[]) => list.filter((arrival) => arrival.status === 429).length;
  const callsInsideRetryDelay = arrivalsInsideRetryDelay(own);
  const steadyMinutes = (runMs - steadyStartMs) / 60_000;
  return {
    steadyShare: (steady.length - refused(steady)) / steadyMinutes / quotaPerMinute,
    steadyRefusedShare: steady.length === 0 ? 0 : refused(steady) / steady.length,
    refusedShare: own.length === 0 ? 0 : refused(own) / own.length,
    callsInsideRetryDelay,
    calls: own.length,
    accepted: own.length - refused(own),
  };
}

interface Round {
  server: HiddenQuotaServer;
  /** Engines run in this process (none when the round runs worker processes). */
  fleets: Fleet[];
  /** Starts the round's engines (or worker processes). */
  start(): void;
  /** Stops them, letting in-flight calls finish. */
  stop(): Promise<void>;
  /** Calls made by each worker process, in order; empty for in-process engines. */
  callsByProcess(): number[];
  remove(): Promise<void>;
}

/** Accepted calls of `client` in each whole minute of the run ÷ the quota in force in that minute. */
function minuteShares(arrivals: readonly HiddenQuotaArrival[], client: string, startedAtMs: number, round: RoundPlan): number[] {
  const shares: number[] = [];
  for (let minute = 0; minute < Math.floor(runMs / 60_000); minute += 1) {
    const limit = [...round.changes].reverse().find((change) => change.atMinute <= minute)?.limit ?? round.limit;
    const accepted = arrivals.filter((arrival) => arrival.client === client && arrival.status === 200 && arrival.arrivalMs >= startedAtMs + minute * 60_000 && arrival.arrivalMs < startedAtMs + (minute + 1) * 60_000).length;
    shares.push(accepted / ((limit * 60_000) / round.windowMs));
  }
  return shares;
}

async function prepare(round: RoundPlan): Promise<Round> {
  const server = await startHiddenQuotaServer({ limits: { requests: { limit: round.limit, windowMs: round.windowMs } }, scope: 'key', latencyMs });
  const dataDir = await makeTempDataDir('learned-quota');
  const environment: Record<string, string> = {
    IMAGEFLEET_DATA_DIR: dataDir.directory,
    IMAGEFLEET_MAX_IN_FLIGHT: String(engineConcurrency),
    IMAGEFLEET_SHUTDOWN_GRACE_MS: '3000',
    IMAGEFLEET_LOG_LEVEL: 'silent',
    GEMINI_API_KEY: engineKey,
    // GEMINI_RPM unset: `auto`, the quota is unknown to the engine.
    ...(round.userRequestsPerMinute === undefined ? {} : { GEMINI_RPM: String(round.userRequestsPerMinute) }),
    GEMINI_CONCURRENCY: String(engineConcurrency),
  };
  const fleet = await createFleet(loadConfig({ ...environment, GEMINI_BASE_URL: server.baseUrl }));
  await fleet.submitJob({
    mode: 'studio',
    provider: 'gemini',
    model,
    settings: { size, aspectRatio: '1:1' },
    batchSize: 1,
    // A prompt holds at most 1,000 tasks: more prompts of 1,000 keep the engine from running out of work.
    items: [{ referenceAssetIds: [], prompts: Array.from({ length: Math.ceil(round.taskCount / 1000) }, (_unused, index) => ({ text: `learned quota prompt ${index}`, count: 1000 })) }],
  });
  if (round.processes === 1) {
    return {
      server,
      fleets: [fleet],
      start: () => fleet.start(),
      stop: () => fleet.engine.stop(),
      callsByProcess: () => [],
      remove: async () => {
        await fleet.stop();
        await server.close();
        await dataDir.remove();
      },
    };
  }
  // Worker processes: this process only submitted the job.
  await fleet.stop();
  const proxies: CountingProxy[] = [];
  for (let index = 0; index < round.processes; index += 1) proxies.push(await startCountingProxy(server.baseUrl));
  const workers: CliProcess[] = [];
  return {
    server,
    fleets: [],
    start: () => {
      for (const proxy of proxies) workers.push(startCli(['worker'], { env: cleanEnvironment({ ...environment, GEMINI_BASE_URL: proxy.baseUrl }) }));
    },
    stop: async () => {
      for (const worker of workers) worker.child.kill('SIGTERM');
      await Promise.all(workers.map((worker) => worker.exited));
    },
    callsByProcess: () => proxies.map((proxy) => proxy.requests()),
    remove: async () => {
      for (const worker of workers) if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
      for (const proxy of proxies) await proxy.close();
      await server.close();
      await dataDir.remove();
    },
  };
}

async function main(): Promise<void> {
  const prepared: Round[] = [];
  const stopLoops = new AbortController();
  try {
    for (const round of rounds) prepared.push(await prepare(round));
    const startedAtMs = Date.now();
    const loops = prepared.map((round) => {
      round.start();
      const provider = createGeminiProvider({ apiKey: usersLoopKey, baseUrl: round.server.baseUrl, timeoutMs: 60_000, batch: { maxRequestsPerBatch: 1, gatherMs: 0, pollIntervalMs: 1000 } });
      return runUsersLoopClient({ provider, modelId: model, stop: stopLoops.signal });
    });
    const changeTimers = rounds.flatMap((round, index) =>
      round.changes.map((change) => setTimeout(() => prepared[index]!.server.setLimits({ requests: { limit: change.limit, windowMs: round.windowMs } }), change.atMinute * 60_000)),
    );
    while (Date.now() - startedAtMs < runMs) {
      await systemClock.sleep(Math.min(30_000, runMs - (Date.now() - startedAtMs)));
      const parts = prepared.map((round, index) => {
        const arrivals = round.server.arrivals().filter((arrival) => arrival.client === engineKey);
        const refused = arrivals.filter((arrival) => arrival.status === 429).length;
        return `${rounds[index]!.name}: engine ${arrivals.length - refused} ok / ${refused} 429`;
      });
      console.log(`learned quota: ${((Date.now() - startedAtMs) / 1000).toFixed(0)} s: ${parts.join('; ')}`);
    }
    stopLoops.abort();
    for (const timer of changeTimers) clearTimeout(timer);
    await Promise.all(prepared.map((round) => round.stop()));
    await Promise.all(loops);
    const result: LearnedQuotaResult = {
      scenario: 'learned-quota',
      runMs,
      steadyStartMs,
      rounds: rounds.map((round, index) => {
        const arrivals = prepared[index]!.server.arrivals();
        const quotaPerMinute = (round.limit * 60_000) / round.windowMs;
        return {
          name: round.name,
          quotaPerMinute,
          processes: round.processes,
          callsByProcess: prepared[index]!.callsByProcess(),
          userRequestsPerMinute: round.userRequestsPerMinute,
          changedAtMinutes: round.changes.map((change) => change.atMinute),
          engine: figures(arrivals, engineKey, startedAtMs, quotaPerMinute),
          engineMinuteShares: minuteShares(arrivals, engineKey, startedAtMs, round),
          usersLoop: figures(arrivals, usersLoopKey, startedAtMs, quotaPerMinute),
        };
      }),
    };
    const resultFile = process.env[resultFileVariable];
    if (resultFile) await writeFile(resultFile, JSON.stringify(result));
    else console.log(JSON.stringify(result, null, 2));
  } finally {
    stopLoops.abort();
    for (const round of prepared) await round.remove();
  }
}

await main();

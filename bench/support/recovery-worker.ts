/**
 * A worker process for the recovery benchmark: `createFleet(loadConfig(env))` with the HTTP
 * benchmark provider, `start()`, then run until killed. It reports on stdout when it is ready and
 * when the benchmark's job has ended; SIGTERM stops it gracefully. The benchmark kills it with
 * SIGKILL mid-flight, which is the point.
 */
import { loadConfig } from '../../src/config/load-config.js';
import { createFleet } from '../../src/fleet/create-fleet.js';
import { createHttpBenchProvider, httpBenchProviderId } from './http-bench-provider.js';
import { recoveryApiKey, recoveryWorkerVariables, type RecoveryWorkerMessage } from './recovery-worker-protocol.js';

const jobPollMs = 200;
const defaultMaxLifetimeMs = 5 * 60_000;

function announce(message: RecoveryWorkerMessage): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

function requiredVariable(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set`);
  return value;
}

async function main(): Promise<void> {
  const providerUrl = requiredVariable(recoveryWorkerVariables.providerUrl);
  const jobId = requiredVariable(recoveryWorkerVariables.jobId);
  const providerConcurrency = Number(requiredVariable(recoveryWorkerVariables.providerConcurrency));
  const maxLifetimeMs = Number(process.env[recoveryWorkerVariables.maxLifetimeMs] ?? defaultMaxLifetimeMs);

  const fleet = await createFleet(loadConfig(process.env, { cwd: process.cwd() }), {
    extraProviders: [createHttpBenchProvider({ baseUrl: providerUrl, apiKey: recoveryApiKey, typicalLatencyMs: 100 })],
    extraLimits: { [httpBenchProviderId]: { requestsPerMinute: 0, maxConcurrency: providerConcurrency, cooldownMs: 0 } },
  });
  let stopping = false;
  const stop = async (exitCode: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await fleet.stop();
    process.exit(exitCode);
  };
  process.once('SIGTERM', () => void stop(0));
  process.once('SIGINT', () => void stop(0));
  const lifetimeTimer = setTimeout(() => void stop(1), maxLifetimeMs);
  lifetimeTimer.unref();

  fleet.start();
  announce({ type: 'ready' });

  while (!stopping) {
    const job = await fleet.store.jobs.getJob(jobId);
    if (job && (job.status === 'completed' || job.status === 'failed' || job.status === 'canceled')) {
      announce({ type: 'job-ended', status: job.status });
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, jobPollMs));
  }
}

await main();

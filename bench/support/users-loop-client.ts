import type { ImageProvider } from '../../src/providers/contract.js';
import { runNaiveClient } from './naive-client.js';

/**
 * The loop the issue-18 reporters ran by hand against Gemini, which used 0.48 of a 120/min quota
 * where imagefleet's fixed `GEMINI_RPM=10` used 0.09: three concurrent loops, a 1 s pause after
 * each answer, a flat 30 s sleep after a 429 (the announced retry delay ignored). The learned-rate
 * benchmark runs it beside the engine, each on its own key of the hidden-quota fake
 * (`test/fakes/gemini/hidden-quota-server.ts` with `scope: 'key'`), and expects the engine to get
 * at least 4× its accepted calls. Not yet wired into `npm run bench`.
 */
export const usersLoopSettings = {
  /** Concurrent request loops. */
  loops: 3,
  /** Pause after each answered request, ms. */
  pauseMs: 1000,
  /** Sleep after a 429 before the next request, ms. */
  rateLimitWaitMs: 30_000,
} as const;

export interface UsersLoopClientOptions {
  /** The same provider class the engine uses, built with the loop's own API key. */
  provider: ImageProvider;
  modelId: string;
  /** Bounds each loop even if the stop signal never comes. Default 10,000. */
  maxRequestsPerLoop?: number;
  stop: AbortSignal;
}

/** Runs the users' loop until `stop` aborts (or every loop made `maxRequestsPerLoop` requests). */
export async function runUsersLoopClient(options: UsersLoopClientOptions): Promise<void> {
  await runNaiveClient({
    provider: options.provider,
    modelId: options.modelId,
    loops: usersLoopSettings.loops,
    pauseMs: usersLoopSettings.pauseMs,
    rateLimitWaitMs: usersLoopSettings.rateLimitWaitMs,
    maxRequestsPerLoop: options.maxRequestsPerLoop ?? 10_000,
    stop: options.stop,
  });
}

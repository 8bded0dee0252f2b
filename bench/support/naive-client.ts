import { isImagefleetError } from '../../src/core/errors.js';
import type { ImageProvider } from '../../src/providers/contract.js';
import { systemClock } from '../../src/engine/system-clock.js';

export interface NaiveClientOptions {
  /** The same provider class the engine uses, with the naive client's own key. */
  provider: ImageProvider;
  modelId: string;
  /** Concurrent request loops. */
  loops: number;
  /** Pause after each answered request, ms. */
  pauseMs: number;
  /** Wait after a 429 before retrying, ms; the server's announced delay is ignored, as such scripts do. */
  rateLimitWaitMs: number;
  /** Bounds each loop even if the stop signal never comes. */
  maxRequestsPerLoop: number;
  stop: AbortSignal;
}

/**
 * The baseline the engine is compared with: the retry loop people write by hand. Each loop sends a
 * request, pauses, sends the next; on a 429 it sleeps a fixed time and retries. No shared pacing,
 * no use of the server's retry delay.
 */
export async function runNaiveClient(options: NaiveClientOptions): Promise<void> {
  const runLoop = async (loopIndex: number): Promise<void> => {
    for (let sent = 0; sent < options.maxRequestsPerLoop && !options.stop.aborted; sent += 1) {
      try {
        await options.provider.generate({
          modelId: options.modelId,
          prompt: `naive client loop ${loopIndex} request ${sent}`,
          references: [],
          n: 1,
          size: '1K',
          aspectRatio: '1:1',
          signal: options.stop,
        });
        await systemClock.sleep(options.pauseMs, options.stop);
      } catch (error) {
        if (options.stop.aborted) return;
        const rateLimited = isImagefleetError(error) && error.code === 'provider_rate_limited';
        await systemClock.sleep(rateLimited ? options.rateLimitWaitMs : options.pauseMs, options.stop);
      }
    }
  };
  await Promise.all(Array.from({ length: options.loops }, (_unused, loopIndex) => runLoop(loopIndex)));
}

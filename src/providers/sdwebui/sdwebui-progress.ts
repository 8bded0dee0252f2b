/**
 * Progress of a running web UI call: `GET /sdapi/v1/progress?skip_current_image=true` polled while
 * the call runs, its `progress` (0..1 of the whole batch) forwarded to `onProgress`. The web UI
 * runs one job at a time and reports on whichever runs, so a fraction that goes backwards (another
 * client's job) is not forwarded. A failed poll is ignored: progress is a courtesy, the call decides.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { requestServerJson, type ServerConnection } from '../stable-diffusion/server-request.js';

export interface ProgressWatch {
  stop(): void;
}

export function watchSdwebuiProgress(connection: ServerConnection, intervalMs: number, onProgress: (fraction: number) => void, signal: AbortSignal): ProgressWatch {
  const stop = new AbortController();
  const stopped = AbortSignal.any([stop.signal, signal]);
  let best = 0;
  const tick = async (): Promise<void> => {
    try {
      const reply = await requestServerJson(connection, {
        method: 'GET',
        path: '/sdapi/v1/progress?skip_current_image=true',
        signal: stopped,
        timeoutMs: Math.max(intervalMs, 5_000),
        action: 'reading progress',
      });
      const progress = typeof reply === 'object' && reply !== null ? (reply as { progress?: unknown }).progress : undefined;
      if (!stopped.aborted && typeof progress === 'number' && Number.isFinite(progress) && progress > best && progress <= 1) {
        best = progress;
        onProgress(progress);
      }
    } catch {
      // Ignored on purpose: see the file comment.
    }
  };
  const loop = async (): Promise<void> => {
    while (!stopped.aborted) {
      await sleep(intervalMs, undefined, { signal: stopped }).catch(() => undefined);
      if (!stopped.aborted) await tick();
    }
  };
  void loop();
  return { stop: () => stop.abort() };
}

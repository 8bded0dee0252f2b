/** The time source the engine and adapters share. A port: adapters in src/store implement it. */
/** Time source. Tests use a manual clock to check backoff and lease timing. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves after `ms` (or at once when aborted). Never rejects. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

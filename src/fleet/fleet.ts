/**
 * The composed application: store, blobs, providers and engine wired together by `createFleet`.
 * Shells (web server, worker, CLI) receive a Fleet and call use cases on it; they never build
 * adapters themselves.
 */
import type { Config } from '../config/config.js';
import type { Logger } from '../core/logger.js';

export interface ProviderHealth {
  id: string;
  displayName: string;
  /** True when the provider has what it needs to run (e.g. a key); never exposes the key itself. */
  configured: boolean;
  /** Why the provider or one of its models is paused, if it is. */
  pausedReason: string | undefined;
  models: string[];
}

export interface HealthReport {
  status: 'ok' | 'degraded';
  version: string;
  /** Seconds since this process started the fleet. */
  uptimeSeconds: number;
  dataDir: string;
  database: 'ok' | 'unavailable';
  engine: { running: boolean; inFlight: number };
  providers: ProviderHealth[];
}

export interface FleetLifecycle {
  readonly config: Config;
  readonly logger: Logger;
  /** Starts the engine loop (claiming and running tasks). Idempotent. */
  start(): void;
  /**
   * Graceful stop: no new claims; in-flight calls get `config.engine.shutdownGraceMs` to finish,
   * then are aborted and their leases released (not failed); then the database closes.
   */
  stop(): Promise<void>;
  health(): Promise<HealthReport>;
}

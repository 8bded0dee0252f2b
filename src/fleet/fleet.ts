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
  /** `degraded` when the database is unreachable, the disk is (nearly) full, or the engine failed in the last `engineErrorWindowMs`. */
  status: 'ok' | 'degraded';
  version: string;
  /** Seconds since this process started the fleet. */
  uptimeSeconds: number;
  dataDir: string;
  database: 'ok' | 'unavailable';
  /** Space on the file system of the data directory; `unknown` when it cannot be read. */
  disk: DiskHealth;
  engine: {
    running: boolean;
    inFlight: number;
    /** The engine's own latest failures (claiming work, running a task), newest last; at most 5. */
    lastErrors: Array<{ at: string; message: string }>;
  };
  /** Ids of the providers (or `provider:model` scopes) paused now, e.g. a refused key or an exhausted daily quota. */
  pausedProviders: string[];
  providers: ProviderHealth[];
}

/** Free space of the data directory's file system. */
export interface DiskHealth {
  /** `full` below `diskFullBytes`, `low` below `diskLowBytes`; `full` makes the report degraded. */
  status: 'ok' | 'low' | 'full' | 'unknown';
  /** Bytes available to this process; undefined when unknown. */
  freeBytes: number | undefined;
  /** Size of the file system in bytes; undefined when unknown. */
  totalBytes: number | undefined;
}

/** Free space below which the disk counts as full (writes of images and the database will fail soon), in bytes: 64 MiB. */
export const diskFullBytes = 64 * 1024 * 1024;
/** Free space below which the disk counts as low, in bytes: 1 GiB. */
export const diskLowBytes = 1024 * 1024 * 1024;
/** An engine failure this recent makes the report degraded, in ms: 60 s. */
export const engineErrorWindowMs = 60_000;

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

/**
 * The checkpoints and LoRAs a Stable Diffusion server offers, cached. `models()` of the provider
 * contract is synchronous, so the lists are read at start and on refresh, not per call. A failed
 * read keeps the last lists (or the fallback model alone) and is retried on the next refresh.
 */
import type { Logger } from '../../core/logger.js';

/** One checkpoint as a job names it. */
export interface CheckpointEntry {
  /** Model id in jobs. */
  modelId: string;
  /** Other names accepted for it (the server's full title, the file name). */
  aliases: string[];
  /** What the server is sent to select it. */
  wireName: string;
}

export interface CatalogLists {
  checkpoints: CheckpointEntry[];
  loraNames: string[];
}

/** How old the lists may be before a call refreshes them first, ms. */
export const catalogMaxAgeMs = 5 * 60_000;

/** Least time between two background reads while the lists were never read, ms. */
const neverLoadedRetryMs = 30_000;

export class ServerCatalog {
  private lists: CatalogLists = { checkpoints: [], loraNames: [] };
  private loadedAtMs: number | undefined;
  private inFlight: Promise<void> | undefined;
  private lastAttemptMs: number | undefined;

  constructor(
    private readonly load: () => Promise<CatalogLists>,
    private readonly logger: Logger,
    /** The server in log lines, e.g. "Stable Diffusion web UI at http://127.0.0.1:7860". */
    private readonly serverLabel: string,
    private readonly now: () => number = Date.now,
  ) {}

  get checkpoints(): readonly CheckpointEntry[] {
    return this.lists.checkpoints;
  }

  get loraNames(): readonly string[] {
    return this.lists.loraNames;
  }

  /** Whether the lists were read at least once. */
  get loaded(): boolean {
    return this.loadedAtMs !== undefined;
  }

  /** Reads the lists again; concurrent callers share one read. Never rejects. */
  refresh(): Promise<void> {
    this.lastAttemptMs = this.now();
    this.inFlight ??= this.load()
      .then((lists) => {
        this.lists = lists;
        this.loadedAtMs = this.now();
        this.logger.debug({ checkpoints: lists.checkpoints.length, loras: lists.loraNames.length }, `Read the model list of the ${this.serverLabel}.`);
      })
      .catch((error: unknown) => {
        this.logger.warn({ error: error instanceof Error ? error.message : String(error) }, `Could not read the model list of the ${this.serverLabel}; keeping the last one.`);
      })
      .finally(() => {
        this.inFlight = undefined;
      });
    return this.inFlight;
  }

  /**
   * While the lists were never read (the server was down at start), starts a read at most every
   * 30 s, so a server that comes back is noticed by whoever asks for the models (pickers, health,
   * job submission), not only by the next call. `onLoaded` runs when such a read succeeds.
   */
  retryInBackgroundIfNeverLoaded(onLoaded: () => void): void {
    if (this.loadedAtMs !== undefined || this.inFlight !== undefined) return;
    if (this.lastAttemptMs !== undefined && this.now() - this.lastAttemptMs < neverLoadedRetryMs) return;
    void this.refresh().then(() => {
      if (this.loadedAtMs !== undefined) onLoaded();
    });
  }

  /** Refreshes when the lists were never read or are older than `catalogMaxAgeMs`. */
  async refreshIfStale(): Promise<void> {
    if (this.loadedAtMs === undefined || this.now() - this.loadedAtMs > catalogMaxAgeMs) await this.refresh();
  }
}

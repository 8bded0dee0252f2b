/**
 * Gathers batch-lane requests that arrive close together into one Batch API job per model: the
 * first request of a group starts a timer of `gatherMs`; the group goes out when the timer fires
 * or when it holds `maxRequestsPerBatch` requests. Every caller then gets the batch's name. A
 * request whose signal aborts before its group goes out is taken out of it; once the group is on
 * its way, the caller gets the name anyway, so the engine can save the handle (and cancel it).
 */
import { ImagefleetError } from '../../../core/errors.js';

/** One line of the batch input file (JSONL), before it is written. */
export interface BatchRequestLine {
  /** Unique within the batch. */
  key: string;
  /** The GenerateContentRequest in REST field names (`contents`, `generationConfig`). */
  request: Record<string, unknown>;
}

export interface BatchCollectorOptions {
  gatherMs: number;
  maxRequestsPerBatch: number;
  /** Creates the Batch API job for one group and returns its name (`batches/…`). */
  createBatch: (wireModel: string, lines: readonly BatchRequestLine[]) => Promise<string>;
}

interface Entry {
  line: BatchRequestLine;
  resolve: (placed: PlacedRequest) => void;
  reject: (error: unknown) => void;
  detach: () => void;
}

interface Group {
  wireModel: string;
  entries: Map<string, Entry>;
  timer: NodeJS.Timeout | undefined;
}

/** Where a request landed: its batch and its key in that batch (made unique if needed). */
export interface PlacedRequest {
  batchName: string;
  key: string;
}

export class BatchCollector {
  private readonly open = new Map<string, Group>();

  constructor(private readonly options: BatchCollectorOptions) {}

  /** Adds a request to the open group of its model; resolves once the batch holding it exists. */
  add(wireModel: string, line: BatchRequestLine, signal: AbortSignal): Promise<PlacedRequest> {
    if (signal.aborted) return Promise.reject(new ImagefleetError('canceled', 'Canceled before the batch was created.'));
    let group = this.open.get(wireModel);
    if (!group) {
      group = { wireModel, entries: new Map(), timer: undefined };
      this.open.set(wireModel, group);
      const opened = group;
      opened.timer = setTimeout(() => this.send(opened), this.options.gatherMs);
    }
    const key = uniqueKey(line.key, group.entries);
    const target = group;
    return new Promise<PlacedRequest>((resolve, reject) => {
      const onAbort = (): void => {
        // Still gathering: leave the group, so nothing is paid for a canceled task.
        if (this.open.get(wireModel) !== target || !target.entries.delete(key)) return;
        reject(new ImagefleetError('canceled', 'Canceled before the batch was created.'));
        if (target.entries.size === 0) {
          clearTimeout(target.timer);
          this.open.delete(wireModel);
        }
      };
      signal.addEventListener('abort', onAbort, { once: true });
      target.entries.set(key, { line: { ...line, key }, resolve, reject, detach: () => signal.removeEventListener('abort', onAbort) });
      if (target.entries.size >= this.options.maxRequestsPerBatch) this.send(target);
    });
  }

  /** Requests waiting in open groups (not yet sent). */
  get waitingCount(): number {
    let count = 0;
    for (const group of this.open.values()) count += group.entries.size;
    return count;
  }

  private send(group: Group): void {
    if (this.open.get(group.wireModel) !== group) return;
    this.open.delete(group.wireModel);
    clearTimeout(group.timer);
    const entries = [...group.entries.values()];
    for (const entry of entries) entry.detach();
    if (entries.length === 0) return;
    this.options.createBatch(group.wireModel, entries.map((entry) => entry.line)).then(
      (batchName) => {
        for (const entry of entries) entry.resolve({ batchName, key: entry.line.key });
      },
      (error: unknown) => {
        for (const entry of entries) entry.reject(error);
      },
    );
  }
}

/** The key, or key~2, key~3, … when the group already has it (the same task key in two jobs). */
function uniqueKey(key: string, entries: ReadonlyMap<string, Entry>): string {
  if (!entries.has(key)) return key;
  let suffix = 2;
  while (entries.has(`${key}~${suffix}`)) suffix += 1;
  return `${key}~${suffix}`;
}

/**
 * The one reader of the `events` table behind every live-event stream of this process (issue 21).
 *
 * Before, each `GET /api/events` stream read the table itself, on every wake-up of any engine
 * event: 200 clients on one job meant 200 synchronous SQLite reads per event, and each new
 * `?job=` client replayed the job's whole history, which froze every other request for seconds.
 *
 * Now one tail loop reads new events once (on an engine wake-up, a store signal that another
 * process committed events, or every `pollMs` as the correctness path) into a bounded ring of recent events; streams catch up from the ring with no
 * database work. Only a stream that starts before the ring (a `?job=` replay from the start, a
 * long-disconnected `Last-Event-ID`) reads history from the table, in pages that identical
 * requests share (200 clients replaying one job read each page once). Streams produce only when
 * their client pulls, so a slow client costs a cursor, not a queue.
 */
import type { DomainEventOf } from '../core/events.js';
import type { StoredEvent } from '../engine/ports.js';
import type { Fleet } from '../fleet/create-fleet.js';
import { latestEventId } from '../operations/latest-event-id.js';
import { readEvents } from '../operations/read-events.js';

/** Recent events kept in memory for streams to catch up from, in events. */
export const ringCapacityEvents = 10_000;
/** Events read per database page (tail and history). */
const pageEvents = 200;
/** Pause that gathers a burst of events into one read and one write per stream, in ms. */
const gatherMs = 25;
/** How long a shared history page stays reusable for streams that ask for it a moment later, in ms. */
const sharedPageTtlMs = 2_000;

/** What a stream gets from `next`: events after its cursor, and the cursor to ask from next time. */
export interface FanOutBatch {
  events: StoredEvent[];
  /** The id scanned up to (may be past the last event returned when a job filter skipped some). */
  cursor: number;
}

export class EventFanOut {
  private ring: StoredEvent[] = [];
  /** Events with an id above this are in the ring (or not read yet); at or below it, only the table has them. */
  private ringStartId = 0;
  private tailId = 0;
  private started: Promise<void> | undefined;
  private reading: Promise<void> | undefined;
  private readAgain = false;
  private pollScheduled = false;
  private progressPending = false;
  private pollTimer: NodeJS.Timeout | undefined;
  private unsubscribeEngine: (() => void) | undefined;
  private unsubscribeSignals: (() => void) | undefined;
  private readonly waiters = new Set<() => void>();
  private readonly progressListeners = new Set<(event: DomainEventOf<'task.progress'>) => void>();
  private readonly sharedPages = new Map<string, Promise<{ events: StoredEvent[]; tailAtRead: number }>>();
  private subscribers = 0;

  constructor(
    private readonly fleet: Pick<Fleet, 'store' | 'engine' | 'logger' | 'storeSignals'>,
    private readonly pollMs: number,
  ) {}

  /** Newest event id this process has read (after `start`). */
  get newestId(): number {
    return this.tailId;
  }

  /** Reads the current tail once; later calls return the same promise. */
  start(): Promise<void> {
    this.started ??= (async () => {
      this.tailId = await latestEventId({}, this.fleet);
      this.ringStartId = this.tailId;
      this.unsubscribeEngine = this.fleet.engine.subscribe((event) => {
        if (event.type === 'task.progress') {
          for (const listener of this.progressListeners) listener(event);
          this.progressPending = true;
        }
        this.pollSoon();
      });
      // Another process committed events (Postgres NOTIFY): read them now, not at the next poll.
      this.unsubscribeSignals = this.fleet.storeSignals?.subscribe(() => this.pollSoon());
    })();
    return this.started;
  }

  /** Registers a stream; the returned function unregisters it. The table is polled only while streams are open. */
  attach(onProgress: (event: DomainEventOf<'task.progress'>) => void): () => void {
    this.progressListeners.add(onProgress);
    this.subscribers += 1;
    if (this.pollTimer === undefined) this.pollTimer = setInterval(() => this.pollSoon(), this.pollMs);
    return () => {
      this.progressListeners.delete(onProgress);
      this.subscribers -= 1;
      if (this.subscribers === 0 && this.pollTimer !== undefined) {
        clearInterval(this.pollTimer);
        this.pollTimer = undefined;
      }
    };
  }

  /**
   * Events after `cursor` (only `jobId`'s when given), at most a page. Empty when the stream is
   * caught up: then `waitForNews` says when to ask again.
   */
  async next(cursor: number, jobId: string | undefined): Promise<FanOutBatch> {
    await this.start();
    if (cursor >= this.tailId) return { events: [], cursor };
    if (cursor >= this.ringStartId) return this.fromRing(cursor, jobId);
    // Older than the ring: one shared page from the table.
    const { events, tailAtRead } = await this.sharedPage(cursor, jobId);
    const last = events.at(-1)?.id ?? cursor;
    // A short page holds every matching event up to the tail known when it was read.
    return { events, cursor: events.length < pageEvents ? Math.max(last, tailAtRead) : last };
  }

  /** Resolves when new events were read (or after `timeoutMs`, or when `signal` aborts). */
  waitForNews(timeoutMs: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiters.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /** Stops the tail loop (the fleet is going away). */
  close(): void {
    this.unsubscribeEngine?.();
    this.unsubscribeSignals?.();
    if (this.pollTimer !== undefined) clearInterval(this.pollTimer);
    for (const waiter of [...this.waiters]) waiter();
  }

  private fromRing(cursor: number, jobId: string | undefined): FanOutBatch {
    // The ring is sorted by id: find the first event after the cursor by binary search.
    let low = 0;
    let high = this.ring.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.ring[middle]!.id <= cursor) low = middle + 1;
      else high = middle;
    }
    const events: StoredEvent[] = [];
    let scanned = cursor;
    for (let index = low; index < this.ring.length && events.length < pageEvents; index += 1) {
      const event = this.ring[index]!;
      scanned = event.id;
      if (jobId === undefined || event.jobId === jobId) events.push(event);
    }
    if (events.length < pageEvents) scanned = Math.max(scanned, this.tailId);
    return { events, cursor: scanned };
  }

  private sharedPage(cursor: number, jobId: string | undefined): Promise<{ events: StoredEvent[]; tailAtRead: number }> {
    const key = `${jobId ?? '*'}:${cursor}`;
    let page = this.sharedPages.get(key);
    if (page === undefined) {
      page = (async () => {
        // Let other requests run between pages of a long replay.
        await new Promise((resolve) => setImmediate(resolve));
        const tailAtRead = this.tailId;
        const events = await readEvents({ afterId: cursor, jobId, limit: pageEvents }, this.fleet);
        return { events, tailAtRead };
      })();
      this.sharedPages.set(key, page);
      const forget = () => setTimeout(() => this.sharedPages.delete(key), sharedPageTtlMs).unref();
      page.then(forget, () => this.sharedPages.delete(key));
    }
    return page;
  }

  /**
   * Reads the tail after a short pause that gathers the events of a burst (a task completing
   * writes several), so each stream writes once per burst instead of once per event.
   */
  private pollSoon(): void {
    if (this.started === undefined || this.pollScheduled) return;
    this.pollScheduled = true;
    setTimeout(() => {
      this.pollScheduled = false;
      this.readNow();
    }, gatherMs);
  }

  private readNow(): void {
    if (this.reading !== undefined) {
      this.readAgain = true;
      return;
    }
    this.reading = this.readTail()
      .catch((error: unknown) => this.fleet.logger.warn({ error: String(error) }, 'Live events could not be read; retrying at the next poll.'))
      .finally(() => {
        this.reading = undefined;
        if (this.readAgain) {
          this.readAgain = false;
          this.readNow();
        }
      });
  }

  private async readTail(): Promise<void> {
    await this.started;
    let news = false;
    for (;;) {
      const events = await readEvents({ afterId: this.tailId, limit: pageEvents }, this.fleet);
      for (const event of events) this.ring.push(event);
      if (events.length > 0) {
        this.tailId = events.at(-1)!.id;
        news = true;
      }
      if (this.ring.length > ringCapacityEvents) {
        const dropped = this.ring.splice(0, this.ring.length - ringCapacityEvents);
        this.ringStartId = dropped.at(-1)!.id;
      }
      if (events.length < pageEvents) break;
    }
    if (news || this.progressPending) for (const waiter of [...this.waiters]) waiter();
    this.progressPending = false;
  }
}

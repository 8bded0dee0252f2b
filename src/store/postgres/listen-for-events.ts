/**
 * Wake-ups across processes: a dedicated connection `LISTEN`s on the channel every
 * event-appending transaction notifies at COMMIT (postgres-transaction.ts) and reports the newest
 * committed event id, so an idle engine or an SSE stream in another process reads the log at once
 * instead of at its next poll. Polling stays the correctness path (docs/decisions/0039): a
 * notification lost while the connection was down only delays, and the connection is re-opened.
 */
import pg from 'pg';
import { eventsCommittedChannel } from './postgres-transaction.js';
import { taskProgressChannel } from './task-progress-notifications.js';

/** Wait before re-opening a dropped listening connection, in ms. */
const reconnectDelayMs = 1000;

export interface EventListener {
  /** Stops listening and closes the connection; idempotent. */
  close(): Promise<void>;
}

/**
 * Tells every listening process that work was added without an event (a new job), on the same
 * channel with payload 0 (no event id). Best effort: a failure only means others find the work at
 * their next poll, so it is swallowed.
 */
export function notifyWorkAdded(pool: pg.Pool): void {
  pool.query('SELECT pg_notify($1, $2)', [eventsCommittedChannel, '0']).catch(() => undefined);
}

/**
 * Calls `onCommitted(newestEventId)` after each transaction, in any process, that appended events
 * to this database (and with 0 after `notifyWorkAdded`). With `onProgressPayload`, the same
 * connection also listens for shared task progress (task-progress-notifications.ts) and hands it
 * each raw payload. Resolves once listening (throws if the first connection fails).
 */
export async function listenForCommittedEvents(
  connectionString: string,
  onCommitted: (newestEventId: number) => void,
  onProgressPayload?: (payload: string | undefined) => void,
): Promise<EventListener> {
  let closed = false;
  let client: pg.Client | undefined;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let reconnected = false;

  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString, application_name: 'imagefleet-listener' });
    next.on('notification', (message) => {
      const newestEventId = Number(message.payload);
      if (message.channel === eventsCommittedChannel && Number.isFinite(newestEventId)) onCommitted(newestEventId);
      else if (message.channel === taskProgressChannel) onProgressPayload?.(message.payload);
    });
    // A dropped connection (server restart) is re-opened; until then polling carries on.
    const reopen = (): void => {
      if (closed || reconnectTimer !== undefined) return;
      reconnectTimer = setTimeout(() => {
        reconnectTimer = undefined;
        connect().catch(reopen);
      }, reconnectDelayMs);
    };
    next.on('error', reopen);
    next.on('end', reopen);
    try {
      await next.connect();
      await next.query(`LISTEN ${eventsCommittedChannel}`);
      if (onProgressPayload) await next.query(`LISTEN ${taskProgressChannel}`);
    } catch (error) {
      // The caller retries (or gives up); this client must not schedule a retry of its own.
      next.removeListener('end', reopen);
      next.removeListener('error', reopen);
      next.on('error', () => undefined);
      await next.end().catch(() => undefined);
      throw error;
    }
    client = next;
    // Events committed while the connection was down were missed: readers look once now.
    if (reconnected) onCommitted(0);
    reconnected = true;
  };

  await connect();
  return {
    async close() {
      if (closed) return;
      closed = true;
      if (reconnectTimer !== undefined) clearTimeout(reconnectTimer);
      await client?.end().catch(() => undefined);
    },
  };
}

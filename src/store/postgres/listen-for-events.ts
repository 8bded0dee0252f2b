/**
 * Wake-ups across processes: a dedicated connection `LISTEN`s on the channel every
 * event-appending transaction notifies at COMMIT (postgres-transaction.ts) and reports the newest
 * committed event id, so an idle engine or an SSE stream in another process reads the log at once
 * instead of at its next poll. Polling stays the correctness path (docs/decisions/0039): a
 * notification lost while the connection was down only delays, and the connection is re-opened.
 */
import pg from 'pg';
import { eventsCommittedChannel } from './postgres-transaction.js';

/** Wait before re-opening a dropped listening connection, in ms. */
const reconnectDelayMs = 1000;

export interface EventListener {
  /** Stops listening and closes the connection; idempotent. */
  close(): Promise<void>;
}

/**
 * Calls `onCommitted(newestEventId)` after each transaction, in any process, that appended events
 * to this database. Resolves once listening (throws if the first connection fails).
 */
export async function listenForCommittedEvents(connectionString: string, onCommitted: (newestEventId: number) => void): Promise<EventListener> {
  let closed = false;
  let client: pg.Client | undefined;
  let reconnectTimer: NodeJS.Timeout | undefined;

  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString, application_name: 'imagefleet-listener' });
    next.on('notification', (message) => {
      const newestEventId = Number(message.payload);
      if (message.channel === eventsCommittedChannel && Number.isFinite(newestEventId)) onCommitted(newestEventId);
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
    await next.connect();
    await next.query(`LISTEN ${eventsCommittedChannel}`);
    client = next;
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

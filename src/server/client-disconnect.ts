/**
 * Whether a failed request failed because its client went away (closed the tab, cancelled a
 * download, a load balancer's timeout). Those are normal events: logged at debug, so the error
 * level keeps only real faults (issue 21).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

const disconnectCodes = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE', 'ERR_STREAM_DESTROYED', 'ABORT_ERR']);

export function isClientDisconnect(error: unknown, request: IncomingMessage, response: ServerResponse): boolean {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  if (typeof code === 'string' && disconnectCodes.has(code)) return true;
  if (error instanceof Error && (error.name === 'AbortError' || error.message === 'aborted')) return true;
  // Whatever the error says, a response whose connection is already gone had no one to answer.
  return (request.destroyed || response.destroyed) && !response.writableFinished;
}

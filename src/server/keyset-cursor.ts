/**
 * Opaque page cursors for lists ordered by (time, id): the last row's pair, base64url-encoded, so
 * clients pass `nextCursor` back unchanged and never build one themselves.
 */
import { invalidInput } from '../core/errors.js';

export interface KeysetPosition {
  createdAtMs: number;
  id: string;
}

export function encodeCursor(position: KeysetPosition): string {
  return Buffer.from(JSON.stringify([position.createdAtMs, position.id])).toString('base64url');
}

/** The position in `cursor`; `invalid_input` naming the `cursor` field when it is not one this API handed out. */
export function decodeCursor(cursor: string): KeysetPosition {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && Number.isSafeInteger(value[0]) && typeof value[1] === 'string') {
      return { createdAtMs: value[0] as number, id: value[1] };
    }
  } catch {
    // Reported below.
  }
  throw invalidInput([{ path: 'cursor', message: 'is not a cursor this API handed out; pass nextCursor from the previous page unchanged' }], 'Invalid query');
}

/** The cursor of the page after `items` (the last item's position), or null when none follows. */
export function nextCursorOf(items: readonly KeysetPosition[], hasMore: boolean): string | null {
  const last = items.at(-1);
  return hasMore && last ? encodeCursor(last) : null;
}

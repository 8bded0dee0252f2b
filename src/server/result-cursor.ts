/**
 * The opaque `cursor` of paged image lists (job results, group images): the last image's creation
 * time and id, so the next page starts right after it whatever was added meanwhile.
 */
import { invalidInput } from '../core/errors.js';

export interface ImageCursor {
  createdAtMs: number;
  id: string;
}

export function encodeImageCursor(cursor: ImageCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAtMs, cursor.id])).toString('base64url');
}

/** Reads a cursor this API handed out; `invalid_input` naming `cursor` for anything else. */
export function decodeImageCursor(cursor: string): ImageCursor {
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

/** Turns a page fetched with `limit + 1` rows into the items to send and the next cursor. */
export function pageOf<T extends ImageCursor>(rows: T[], limit: number): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeImageCursor(last) : null };
}

/**
 * Reads an error reply of the AUTOMATIC1111 API (FastAPI): `422 {"detail": [{loc, msg}]}` for a
 * bad field, `404 {"detail": "Not Found"}` for a route that is not there (the web UI was started
 * without `--api`), `404 {"detail": "Sampler not found"}` and the like for a bad value, `401` for a
 * wrong `--api-auth` login, and `500 {"error", "errors"}` for a crash (out of GPU memory …).
 */
import type { ImagefleetError } from '../../core/errors.js';
import { providerError } from '../contract.js';
import { serverDownRetryMs } from '../stable-diffusion/server-request.js';
import { errorForStatus, parseErrorBody } from '../stable-diffusion/server-reply.js';

export interface SdwebuiErrorContext {
  /** The base URL as shown in messages (no credentials). */
  where: string;
}

export function readSdwebuiErrorReply(status: number, bodyText: string, action: string, context: SdwebuiErrorContext): ImagefleetError {
  const said = describeBody(bodyText);
  const quoted = said === '' ? `HTTP ${status}` : `HTTP ${status}: ${said}`;
  if (status === 401 || status === 403) {
    return providerError(
      'paused',
      `The Stable Diffusion web UI at ${context.where} refused the login (${quoted}) while ${action}. Check SDWEBUI_USERNAME and SDWEBUI_PASSWORD (the web UI's --api-auth user:password); the provider resumes when they change.`,
    );
  }
  if (status === 404 && (said === '' || said === 'Not Found')) {
    return providerError(
      'paused',
      `The server at ${context.where} has no AUTOMATIC1111 API (${quoted}) while ${action}: start the web UI with --api (Forge and SD.Next too), or fix SDWEBUI_BASE_URL. imagefleet tries again in ${serverDownRetryMs / 1000} s.`,
      { retryAfterMs: serverDownRetryMs },
    );
  }
  return errorForStatus(status, `The Stable Diffusion web UI at ${context.where}`, quoted, action);
}

/** The useful words of an error body: FastAPI's `detail` (a string or a list of field errors), or the crash's `error`/`errors`. */
function describeBody(bodyText: string): string {
  const record = parseErrorBody(bodyText);
  if (typeof record === 'string') return record;
  const detail = record.detail;
  if (typeof detail === 'string' && detail !== '') return detail;
  if (Array.isArray(detail)) {
    return detail
      .map((item: unknown) => {
        if (typeof item !== 'object' || item === null) return String(item);
        const { loc, msg } = item as { loc?: unknown; msg?: unknown };
        const field = Array.isArray(loc) ? loc.filter((part) => part !== 'body').join('.') : '';
        return field === '' ? String(msg) : `${field}: ${String(msg)}`;
      })
      .join('; ');
  }
  const parts = [record.error, record.errors].filter((part): part is string => typeof part === 'string' && part !== '');
  return parts.join(': ').slice(0, 500);
}

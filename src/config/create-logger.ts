/**
 * The process logger: pino, JSON lines on stdout, with known secret paths redacted. It satisfies
 * the `Logger` port, so shells pass it to `createFleet` and everything below logs through it.
 */
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import { redactUrlCredentials } from '../core/url-credentials.js';
import type { LogLevel } from './config.js';

/**
 * Field paths whose values are replaced by "[redacted]". A backstop only: the rule is to never put
 * secrets in log fields at all. Paths cover the value at the top level and one or two objects deep
 * (pino's wildcards match exactly one level).
 */
export const redactedLogPaths: readonly string[] = [
  'apiKey',
  '*.apiKey',
  '*.*.apiKey',
  'apiToken',
  '*.apiToken',
  '*.*.apiToken',
  'token',
  '*.token',
  '*.*.token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  '*.headers.authorization',
  'headers["x-goog-api-key"]',
  '*.headers["x-goog-api-key"]',
  'config.providers.gemini.apiKey',
  'config.providers.sdwebui.password',
  'password',
  '*.password',
  'config.server.apiToken',
];

export interface CreateLoggerOptions {
  /** Least severe level written. */
  level: LogLevel;
  /** Where JSON lines go; default stdout (synchronous, so nothing is lost on exit). */
  destination?: DestinationStream;
}

/** Creates the process logger. Call once per shell, after `loadConfig`. */
export function createLogger(options: CreateLoggerOptions): PinoLogger {
  return pino(
    {
      level: options.level,
      redact: { paths: [...redactedLogPaths], censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      // The last step before a line is written: URL credentials quoted anywhere in it (an error's
      // message or stack, a field) are redacted, whatever path they came by.
      hooks: { streamWrite: redactUrlCredentials },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/**
 * The process logger: pino, with known secret paths redacted. On a terminal it writes readable,
 * coloured lines (pino-pretty, synchronously); elsewhere JSON lines for log collectors. It
 * satisfies the `Logger` port, so shells pass it to `createFleet` and everything below logs
 * through it.
 */
import { isatty } from 'node:tty';
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import { build as prettyStream } from 'pino-pretty';
import { redactUrlCredentials } from '../core/url-credentials.js';
import type { LogFormat, LogLevel } from './config.js';

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
  'secret',
  '*.secret',
  '*.*.secret',
  'config.webhooks.defaultSecret',
  'headers["webhook-signature"]',
  '*.headers["webhook-signature"]',
  // Web sessions (issue 21): a cookie or Set-Cookie carries a signed session id.
  'cookie',
  '*.cookie',
  'headers.cookie',
  '*.headers.cookie',
  'headers["set-cookie"]',
  '*.headers["set-cookie"]',
];

export interface CreateLoggerOptions {
  /** Least severe level written. */
  level: LogLevel;
  /** Line format; default `auto` (pretty when `fileDescriptor` is a terminal, JSON otherwise). Ignored with `destination`. */
  format?: LogFormat;
  /** File descriptor written to: 1 (stdout, the default) or 2 (stderr, for the CLI, whose stdout is its output). */
  fileDescriptor?: 1 | 2;
  /** Where JSON lines go instead of `fileDescriptor` (tests). */
  destination?: DestinationStream;
}

/** Creates the process logger. Call once per shell, after `loadConfig`. */
export function createLogger(options: CreateLoggerOptions): PinoLogger {
  const fileDescriptor = options.fileDescriptor ?? 1;
  return pino(
    {
      level: options.level,
      redact: { paths: [...redactedLogPaths], censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      // The last step before a line is written: URL credentials quoted anywhere in it (an error's
      // message or stack, a field) are redacted, whatever path they came by.
      hooks: { streamWrite: redactUrlCredentials },
    },
    options.destination ?? destinationFor(options.format ?? 'auto', fileDescriptor),
  );
}

function destinationFor(format: LogFormat, fileDescriptor: 1 | 2): DestinationStream {
  const terminal = isatty(fileDescriptor);
  if (format === 'json' || (format === 'auto' && !terminal)) return pino.destination({ dest: fileDescriptor, sync: true });
  // Synchronous like the JSON path, so the last lines before an exit are not lost; no worker thread.
  return prettyStream({
    destination: fileDescriptor,
    sync: true,
    colorize: terminal,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
    singleLine: true,
  });
}

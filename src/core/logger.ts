/**
 * The logging port. Shells pass a pino logger (which satisfies this shape); core and engine code
 * log only through it. Never pass secrets in `fields`: the pino logger redacts known key paths,
 * but the rule is not to log them at all.
 */
export interface Logger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

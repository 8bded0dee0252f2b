import type { Logger } from '../../src/core/logger.js';

/** Every log line as text, to check a secret never appears in one. */
export class RecordingLogger implements Logger {
  readonly lines: string[] = [];
  debug(fields: Record<string, unknown>, message: string): void {
    this.record('debug', fields, message);
  }
  info(fields: Record<string, unknown>, message: string): void {
    this.record('info', fields, message);
  }
  warn(fields: Record<string, unknown>, message: string): void {
    this.record('warn', fields, message);
  }
  error(fields: Record<string, unknown>, message: string): void {
    this.record('error', fields, message);
  }
  private record(level: string, fields: Record<string, unknown>, message: string): void {
    this.lines.push(`${level} ${message} ${JSON.stringify(fields)}`);
  }
}

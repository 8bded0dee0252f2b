import { readFileSync } from 'node:fs';

let cachedVersion: string | undefined;

/** The version in package.json (read once; written into provenance and the health report). */
export function appVersion(): string {
  cachedVersion ??= (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  return cachedVersion;
}

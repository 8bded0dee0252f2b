import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/config/create-logger.js';
import type { Logger } from '../../src/core/logger.js';

const secret = 'AIzaSy-this-is-a-secret-key-0123456789';

/** A logger writing into an array of parsed JSON lines. */
function capturingLogger(level: 'info' | 'debug' = 'debug') {
  const lines: string[] = [];
  const logger = createLogger({ level, destination: { write: (line: string) => lines.push(line) } });
  return { logger, lines, output: () => lines.join('') };
}

describe('createLogger', () => {
  it('satisfies the Logger port and writes JSON lines with the message', () => {
    const { logger, lines } = capturingLogger();
    const port: Logger = logger;
    port.info({ jobId: 'job-1' }, 'job submitted');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ level: 30, jobId: 'job-1', msg: 'job submitted' });
  });

  it('honours the level', () => {
    const { logger, lines } = capturingLogger('info');
    logger.debug({}, 'hidden');
    logger.warn({}, 'shown');
    expect(lines).toHaveLength(1);
  });

  it.each([
    ['a top-level apiKey', { apiKey: secret }],
    ['a nested apiKey', { provider: { apiKey: secret } }],
    ['a doubly nested apiKey', { config: { gemini: { apiKey: secret } } }],
    ['the config object itself', { config: { providers: { gemini: { apiKey: secret } }, server: { apiToken: secret } } }],
    ['an authorization header', { req: { headers: { authorization: `Bearer ${secret}` } } }],
    ['a nested authorization field', { request: { authorization: secret } }],
    ['the x-goog-api-key header', { request: { headers: { 'x-goog-api-key': secret } } }],
    ['a token', { token: secret }],
    ['a nested token', { lease: { token: secret } }],
    ['an apiToken', { apiToken: secret }],
    ['a webhook secret', { webhook: { secret } }],
    ['the server-wide webhook secret', { config: { webhooks: { defaultSecret: secret } } }],
    ['a webhook signature header', { request: { headers: { 'webhook-signature': secret } } }],
    ['a session cookie header', { request: { headers: { cookie: `imagefleet_session=${secret}` } } }],
    ['a Set-Cookie header', { response: { headers: { 'set-cookie': `imagefleet_session=${secret}` } } }],
    ['a cookie field', { cookie: secret }],
  ])('never writes %s', (_label, fields) => {
    const { logger, output } = capturingLogger();
    logger.error(fields, 'calling the provider');
    expect(output()).not.toContain(secret);
    expect(output()).toContain('[redacted]');
  });

  describe('format', () => {
    const loggerModule = fileURLToPath(new URL('../../src/config/create-logger.ts', import.meta.url));
    /** What a child process writes to its (piped, so not a terminal) stdout with the given format. */
    function childOutput(format: string): string {
      const script = `const { createLogger } = await import(${JSON.stringify(loggerModule)});
        createLogger({ level: 'info', format: ${JSON.stringify(format)} }).info({ apiKey: ${JSON.stringify(secret)}, jobId: 'job-1' }, 'job submitted');`;
      return execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    }

    it('writes JSON lines when the output is not a terminal (auto)', () => {
      const output = childOutput('auto');
      expect(JSON.parse(output)).toMatchObject({ level: 30, jobId: 'job-1', msg: 'job submitted', apiKey: '[redacted]' });
    });

    it('writes one readable line for people when asked, still redacting secrets', () => {
      const output = childOutput('pretty');
      expect(() => JSON.parse(output) as unknown).toThrow();
      expect(output).toMatch(/INFO: job submitted/);
      expect(output).toContain('[redacted]');
      expect(output).not.toContain(secret);
    });
  });
});

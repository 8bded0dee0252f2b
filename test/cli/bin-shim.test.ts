import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cleanEnvironment, runCli } from '../support/cli-process.js';

const packageVersion = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

describe('the imagefleet bin shim', () => {
  it('prints help listing the commands and global flags, exit 0', async () => {
    const { code, stdout, stderr } = await runCli(['--help']);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toContain('Usage: imagefleet');
    expect(stdout).toMatch(/serve \[options\]/);
    expect(stdout).toMatch(/worker/);
    expect(stdout).toContain('--data-dir <path>');
    expect(stdout).toContain('--log-level <level>');
    expect(stdout).toContain('docs/configuration.md');
  });

  it('prints help for a command', async () => {
    const { code, stdout } = await runCli(['serve', '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('--port <number>');
    expect(stdout).toContain('--dev');
  });

  it('prints the package version, exit 0', async () => {
    const { code, stdout } = await runCli(['--version']);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(packageVersion);
  });

  it('answers an unknown option with one line and exit 2', async () => {
    const { code, stdout, stderr } = await runCli(['serve', '--bogus']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(`imagefleet: unknown option '--bogus' (run "imagefleet --help" for usage)\n`);
  });

  it('shows help on stderr and exits 2 without a command', async () => {
    const { code, stderr } = await runCli([]);
    expect(code).toBe(2);
    expect(stderr).toContain('Usage: imagefleet');
  });

  it('reports every bad variable in one line and exits 2 before starting anything', async () => {
    const { code, stdout, stderr } = await runCli(['serve'], {
      env: cleanEnvironment({ IMAGEFLEET_PORT: 'abc', GEMINI_API_KEY: '' }),
    });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      'imagefleet: IMAGEFLEET_PORT must be an integer from 1 to 65535 (got "abc"); GEMINI_API_KEY is set but empty: set it to a real value or unset it\n',
    );
  });

  it('names the flag when a flag value is bad', async () => {
    const { code, stderr } = await runCli(['--log-level', 'loud', 'worker']);
    expect(code).toBe(2);
    expect(stderr).toBe('imagefleet: --log-level must be one of fatal, error, warn, info, debug, trace, silent (got "loud")\n');
  });

  it('prints the stack only with IMAGEFLEET_DEBUG=1', async () => {
    const { stderr } = await runCli(['serve'], { env: cleanEnvironment({ IMAGEFLEET_PORT: 'abc', IMAGEFLEET_DEBUG: '1' }) });
    expect(stderr.split('\n')[0]).toBe('imagefleet: IMAGEFLEET_PORT must be an integer from 1 to 65535 (got "abc")');
    expect(stderr).toContain('    at ');
  });
});

/**
 * The worker image without Docker (CI has no engine): every COPY source of worker/Dockerfile
 * exists, the inputs RunPod runs (test_input.json, the Hub's tests.json) are valid worker jobs,
 * the Hub's hub.json has the documented fields, and the Python shim compiles. hadolint runs when
 * it is installed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { workerJobInputSchema } from '../../src/providers/runpod/worker-protocol.js';

const repositoryRoot = path.resolve(import.meta.dirname, '../..');
const dockerfile = readFileSync(path.join(repositoryRoot, 'worker/Dockerfile'), 'utf8');
const readJson = (relativePath: string): unknown => JSON.parse(readFileSync(path.join(repositoryRoot, relativePath), 'utf8'));
const commandAvailable = (command: string): boolean => spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0;

describe('worker/Dockerfile', () => {
  const copySources = dockerfile
    .split('\n')
    .filter((line) => /^COPY\s/.test(line))
    .flatMap((line) => line.trim().split(/\s+/).slice(1, -1))
    .filter((source) => !source.startsWith('--'));

  it('copies only files of the repository (the build context is its root)', () => {
    expect(copySources.length).toBeGreaterThan(5);
    for (const source of copySources) expect(existsSync(path.join(repositoryRoot, source)), `${source} exists`).toBe(true);
  });

  it('starts the shim, which starts the TypeScript service', () => {
    expect(dockerfile).toMatch(/^CMD \["sh", "\/app\/worker\/start\.sh"\]$/m);
    const start = readFileSync(path.join(repositoryRoot, 'worker/start.sh'), 'utf8');
    expect(start).toContain('bin/imagefleet.js runpod-worker &');
    expect(start).toContain('exec python3 -u /app/worker/handler.py');
  });

  it.skipIf(!commandAvailable('hadolint'))('passes hadolint', () => {
    const result = spawnSync('hadolint', [path.join(repositoryRoot, 'worker/Dockerfile')], { encoding: 'utf8' });
    expect(result.stdout + result.stderr).toBe('');
  });
});

describe('worker inputs and RunPod Hub files', () => {
  it('test_input.json is a valid worker job', () => {
    const parsed = workerJobInputSchema.safeParse((readJson('worker/test_input.json') as { input: unknown }).input);
    expect(parsed.error?.issues).toBeUndefined();
  });

  it('.runpod/tests.json lists valid worker jobs with timeouts', () => {
    const tests = readJson('worker/.runpod/tests.json') as { tests: Array<{ name: string; input: unknown; timeout: number }> };
    expect(tests.tests.length).toBeGreaterThan(0);
    for (const test of tests.tests) {
      expect(workerJobInputSchema.safeParse(test.input).error?.issues).toBeUndefined();
      expect(test.timeout).toBeGreaterThan(0);
    }
  });

  it('.runpod/hub.json has the fields the Hub reads', () => {
    const hub = readJson('worker/.runpod/hub.json') as { title: string; type: string; config: { runsOn: string; cpuFlavor?: string } };
    expect(hub).toMatchObject({ title: expect.any(String) as string, type: 'serverless' });
    expect(['CPU', 'GPU']).toContain(hub.config.runsOn);
    if (hub.config.runsOn === 'CPU') expect(hub.config.cpuFlavor).toBeTruthy();
  });

  it.skipIf(!commandAvailable('python3'))('handler.py compiles', () => {
    // compile() in memory: py_compile would leave a __pycache__ folder in the repository.
    const handlerPath = path.join(repositoryRoot, 'worker/handler.py');
    const result = spawnSync('python3', ['-c', 'import sys; compile(open(sys.argv[1], encoding="utf-8").read(), sys.argv[1], "exec")', handlerPath], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});

/**
 * Bad input to every session command: one line naming the thing and the fix, exit 2, and nothing
 * written (no output folder, no session; for input errors found before the store is needed, not
 * even the data directory).
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { comboFolders, makeWorkspace, png, promptsPattern, refsPattern, runInProcess, sessionIdFrom, type Workspace } from './cli-test-kit.js';

let workspace: Workspace;
beforeAll(async () => {
  workspace = await makeWorkspace();
  await mkdir(path.join(workspace.directory, 'empty-prompts'), { recursive: true });
  await writeFile(path.join(workspace.directory, 'empty-prompts/notes.json'), '{}');
  await mkdir(path.join(workspace.directory, 'blank'), { recursive: true });
  await writeFile(path.join(workspace.directory, 'blank/empty.md'), '  \n');
  await mkdir(path.join(workspace.directory, 'fake/c9'), { recursive: true });
  await writeFile(path.join(workspace.directory, 'fake/c9/photo.png'), 'this is text, not a PNG');
  await mkdir(path.join(workspace.directory, 'locked/c8'), { recursive: true });
  await writeFile(path.join(workspace.directory, 'locked/c8/photo.png'), 'x');
  await chmod(path.join(workspace.directory, 'locked/c8/photo.png'), 0o000);
  await mkdir(path.join(workspace.directory, 'truncated/c6'), { recursive: true });
  const whole = await png(99, 400, 300);
  await writeFile(path.join(workspace.directory, 'truncated/c6/photo.png'), whole.subarray(0, Math.floor(whole.length / 2)));
  await mkdir(path.join(workspace.directory, 'no-images/c7'), { recursive: true });
  await writeFile(path.join(workspace.directory, 'no-images/c7/readme.txt'), 'no images here');
  await writeFile(path.join(workspace.directory, 'bad-plan.json'), JSON.stringify({ refs: refsPattern, colour: 'red' }));
});
afterAll(() => workspace.cleanup());

const out = (): string => path.join(workspace.directory, 'out');
const base = ['run', '--out', 'out'];
const isRoot = process.getuid?.() === 0;

let attempt = 0;

async function expectRefused(args: string[], phrase: string, options: { storeTouched?: boolean } = {}): Promise<string> {
  // A data directory of its own, to see whether this run created it.
  const dataDir = path.join(workspace.directory, `data-${(attempt += 1)}`);
  const run = await runInProcess({ ...workspace, dataDir }, args);
  expect(run.code, run.stderr).toBe(2);
  expect(run.stdout).toBe('');
  expect(run.stderr.split('\n')).toHaveLength(2);
  expect(run.stderr).toMatch(/^imagefleet: .+\n$/);
  expect(run.stderr).toContain(phrase);
  expect(existsSync(out())).toBe(false);
  expect(existsSync(path.join(dataDir, 'cli-sessions'))).toBe(false);
  if (!options.storeTouched) expect(existsSync(dataDir)).toBe(false);
  return run.stderr;
}

describe('run: bad input', () => {
  it('a refs pattern that matches nothing', async () => {
    const stderr = await expectRefused([...base, '--refs', 'Combos/{wardrobe}_combos/{combo}/', '--prompts', promptsPattern], 'matches nothing');
    expect(stderr).toContain('no "{wardrobe}_combos" in Combos');
  });

  it('a prompt folder with no prompt files', async () => {
    await expectRefused([...base, '--refs', refsPattern, '--prompts', 'empty-prompts/'], 'The prompt folder empty-prompts has no prompt files (.md, .txt)');
  });

  it('an empty prompt file', async () => {
    await expectRefused([...base, '--refs', refsPattern, '--prompts', 'blank/'], 'The prompt file blank/empty.md is empty');
  });

  it('no prompts at all', async () => {
    await expectRefused([...base, '--refs', refsPattern], 'give prompt files with --prompts PATTERN');
  });

  it('a reference that is not an image', async () => {
    await expectRefused([...base, '--refs', 'fake/{combo}/', '--prompts', promptsPattern], 'The reference fake/c9/photo.png is not an image imagefleet can read');
  });

  it('a truncated reference, also on --dry-run', async () => {
    const phrase = 'The reference truncated/c6/photo.png is truncated or corrupt';
    await expectRefused([...base, '--refs', 'truncated/{combo}/', '--prompts', promptsPattern], phrase);
    const stderr = await expectRefused([...base, '--refs', 'truncated/{combo}/', '--prompts', promptsPattern, '--dry-run'], phrase);
    expect(stderr).toContain('export it again or remove it from the combo');
  });

  it.skipIf(isRoot)('an unreadable reference', async () => {
    await expectRefused([...base, '--refs', 'locked/{combo}/', '--prompts', promptsPattern], 'Cannot read the reference locked/c8/photo.png (permission denied)');
  });

  it('a combo folder without images', async () => {
    await expectRefused([...base, '--refs', 'no-images/{combo}/', '--prompts', promptsPattern], 'The combo folder no-images/c7 has no reference images');
  });

  it('a layout with an unknown variable', async () => {
    const stderr = await expectRefused([...base, '--refs', refsPattern, '--prompts', promptsPattern, '--layout', '{wardrobe}/{colour}/{seq}.png'], 'uses {colour}, which not every image has');
    expect(stderr).toContain('{wardrobe}');
  });

  it('a layout that tries to leave the output folder', async () => {
    await expectRefused([...base, '--refs', refsPattern, '--prompts', promptsPattern, '--layout', '../{combo}.png'], 'has a "." or ".." folder');
  });

  it('a capture with a reserved name', async () => {
    await expectRefused([...base, '--refs', 'Combos/{size}_combo/', '--prompts', promptsPattern], 'captures {size}, a name imagefleet reserves');
  });

  it.each([
    [['--count', '0'], '--count must be a whole number from 1 to 100 (got "0")'],
    [['--count', 'two'], '--count must be a whole number from 1 to 100 (got "two")'],
    [['--size', '3K'], '--size must be one of 512, 1K, 2K, 4K (got "3K")'],
    [['--aspect', '7:3'], '--aspect must be one of'],
    [['--seed', '-1'], '--seed must be a whole number'],
    [['--lane', 'fast'], '--lane must be one of online, batch'],
    [['--budget', '0'], '--budget must be an amount of US dollars above 0'],
    [['--rpm', '1.5'], '--rpm must be a whole number'],
    [['--rpm', 'fast'], '--rpm must be a whole number from 0 to 1,000,000, or "auto" to learn the rate from the provider\'s 429s (got "fast")'],
  ])('a bad flag value %j', async (flags, phrase) => {
    await expectRefused([...base, '--refs', refsPattern, '--prompts', promptsPattern, ...flags], phrase);
  });

  it('an unknown provider or model, or a size the model lacks', async () => {
    await expectRefused([...base, '--refs', refsPattern, '--prompts', promptsPattern, '--provider', 'nope'], '--provider: Unknown provider "nope"', { storeTouched: true });
    await expectRefused([...base, '--refs', refsPattern, '--prompts', promptsPattern, '--model', 'nope'], 'Cannot run this plan: --model: Unknown model "nope"', { storeTouched: true });
    await expectRefused([...base, '--refs', refsPattern, '--prompts', promptsPattern, '--lane', 'batch'], 'Cannot run this plan: --lane: lane batch is not offered', { storeTouched: true });
  });

  it('a prompt template with a placeholder some pairs lack', async () => {
    await writeFile(path.join(workspace.directory, 'template.md'), '{prompt} in {mood}');
    await expectRefused([...base, '--refs', refsPattern, '--prompts', promptsPattern, '--prompt-template', 'template.md'], 'Cannot run this plan: --prompt-template:', { storeTouched: true });
  });

  it('a missing prompt template or plan file, or a plan file with an unknown key', async () => {
    await expectRefused([...base, '--refs', refsPattern, '--prompts', promptsPattern, '--prompt-template', 'missing.md'], 'Cannot read the prompt template missing.md (it does not exist)', { storeTouched: true });
    await expectRefused(['run', 'missing.json'], 'Cannot read the plan file missing.json (it does not exist)', { storeTouched: true });
    await expectRefused(['run', 'bad-plan.json'], 'The plan file bad-plan.json has an unknown key "colour"', { storeTouched: true });
  });

  it('a costly run without a terminal to confirm on', async () => {
    const { confirmCost } = await import('../../src/cli/session/plan-summary.js');
    const io = { stdout: { write: () => true }, stderr: { write: () => true }, stdin: { isTTY: false }, interrupts: () => () => undefined };
    await expect(confirmCost(12.4, io, { yes: false })).rejects.toThrow('This run is estimated at $12.40, above the $5.00 that needs a confirmation, and there is no terminal to ask on; pass --yes to go ahead.');
    await expect(confirmCost(12.4, io, { yes: true })).resolves.toBeUndefined();
    await expect(confirmCost(1, io, { yes: false })).resolves.toBeUndefined();
    const asked: string[] = [];
    const tty = (answer: string) => ({ ...io, stdin: { isTTY: true, ask: (question: string) => (asked.push(question), Promise.resolve(answer)) } });
    await expect(confirmCost(12.4, tty('y'), { yes: false })).resolves.toBeUndefined();
    await expect(confirmCost(12.4, tty(''), { yes: false })).rejects.toMatchObject({ exitCode: 1 });
    expect(asked[0]).toBe('Estimated cost $12.40. Go ahead? [y/N] ');
  });
});

describe('single: bad input', () => {
  it('a reference that does not exist, or is not an image file', async () => {
    await expectRefused(['single', '--out', 'out', '--ref', 'nope.png', '--prompt', 'x'], 'The reference nope.png does not exist');
    await expectRefused(['single', '--out', 'out', '--ref', 'prompts/catalog_a/hero.md', '--prompt', 'x'], 'is not an image file');
  });

  it('a missing --prompt', async () => {
    await expectRefused(['single', '--ref', `${comboFolders[0]}/pose.png`], "required option '--prompt <file|text>' not specified");
  });
});

describe('session commands: a session id that does not exist', () => {
  it.each([['status'], ['resume'], ['retry'], ['cancel'], ['upgrade', '--to', '4K']])('%s', async (command, ...rest) => {
    await expectRefused([command, '20990101-000000-zzzz', ...rest], `No session "20990101-000000-zzzz" in ${workspace.directory}/data-`);
  });

  it('a missing session argument', async () => {
    await expectRefused(['resume'], "missing required argument 'session'");
  });
});

describe('session commands on a real session: bad input', () => {
  it('upgrade to a size that is not larger, or not a size', async () => {
    const run = await runInProcess(workspace, ['run', '--refs', refsPattern, '--prompts', 'prompts/catalog_b/', '--size', '1K', '--out', 'done']);
    expect(run.code).toBe(0);
    const sessionId = sessionIdFrom(run.stdout);
    const smaller = await runInProcess(workspace, ['upgrade', sessionId, '--to', '512']);
    expect(smaller.code).toBe(2);
    expect(smaller.stderr).toBe('imagefleet: Cannot upgrade: size: 512 is not larger than the size it was made at (1K); choose 2K or 4K\n');
    const notASize = await runInProcess(workspace, ['upgrade', sessionId, '--to', '8K']);
    expect(notASize.code).toBe(2);
    expect(notASize.stderr).toBe('imagefleet: --to must be one of 512, 1K, 2K, 4K (got "8K").\n');
    const sessions = JSON.parse((await runInProcess(workspace, ['sessions', '--json'])).stdout) as unknown[];
    expect(sessions).toHaveLength(1);
  });
});

/**
 * `imagefleet run` (and `single`) in-process with the local provider: the output tree, the session
 * log, dry runs, JSON output, Ctrl-C and resume, and the session commands around them.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { outputFiles, promptsPattern, readOnlySessionLog, readSessionLog, refsPattern, runInProcess, sessionIdFrom, type Workspace, makeWorkspace } from './cli-test-kit.js';

const issueLayout = '{wardrobe}/{catalog}/{prompt_id}/{ui_style}/{combo}/{timestamp}-{prompt_id}-{size}.png';

describe('imagefleet run (local provider, in-process)', () => {
  let workspace: Workspace;
  beforeEach(async () => {
    workspace = await makeWorkspace();
  });
  afterEach(() => workspace.cleanup());

  it('generates every combo × prompt × count into the layout, with a session log mirroring the store', async () => {
    const run = await runInProcess(workspace, ['run', '--refs', refsPattern, '--prompts', promptsPattern, '--count', '2', '--size', '512', '--layout', issueLayout, '--out', 'out']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Plan: 3 combos × 3 prompts × 2 images = 18 images in 18 calls');
    expect(run.stdout).toMatch(/Session \S+ completed: 18 of 18 done, 0 failed/);

    const out = path.join(workspace.directory, 'out');
    const files = await outputFiles(out);
    expect(files).toHaveLength(18);
    for (const file of files) expect(file).toMatch(/^(summer|winter)\/(a|b)\/(hero|detail)\/(dark|light)\/c[12]\/\d{8}-\d{6}-(hero|detail)-512(-\d+)?\.png$/);
    expect(files.filter((file) => file.startsWith('winter/b/hero/dark/c1/'))).toHaveLength(2);

    const log = await readOnlySessionLog(out);
    expect(log.session_id).toBe(sessionIdFrom(run.stdout));
    expect(log.status).toBe('completed');
    expect(log.summary).toMatchObject({ total: 18, completed: 18, failed: 0, blocked: 0, pending: 0 });
    expect(log.jobs.map((job) => job.id)).toEqual(Array.from({ length: 18 }, (_, index) => String(index + 1).padStart(4, '0')));
    expect(new Set(log.jobs.map((job) => job.output)).size).toBe(18);
    for (const job of log.jobs) {
      expect(job.status).toBe('completed');
      expect(files).toContain(job.output);
      expect(job.prompt_file).toMatch(/^prompts\/catalog_[ab]\/(hero\.md|detail\.txt)$/);
      expect(job.combo).toMatch(/^Combos\/(summer|winter)_combo\/(dark|light)_UI_Combos\/c[12]$/);
      expect(job.seed).toBeTypeOf('number');
      expect(job.started).not.toBeNull();
      expect(job.completed).not.toBeNull();
      expect(job.cost_usd).toBe(0);
      // Calls made: each succeeded first time.
      expect(job.attempts).toBe(1);
    }
    expect(log.jobs[0]).toMatchObject({ prompt_id: 'detail', variables: { wardrobe: 'summer', ui_style: 'dark', combo: 'c1', catalog: 'a' } });
    expect(log.config).toMatchObject({ refs: [refsPattern], prompts: [promptsPattern], count: 2, size: '512', layout: issueLayout });

    const status = await runInProcess(workspace, ['status', '--json']);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ session_id: log.session_id, status: 'completed', counts: { total: 18, completed: 18 } });
    const sessions = await runInProcess(workspace, ['sessions', '--json']);
    expect(JSON.parse(sessions.stdout)).toEqual([expect.objectContaining({ session_id: log.session_id, status: 'completed', completed: 18, total: 18 })]);
    const human = await runInProcess(workspace, ['sessions']);
    expect(human.stdout).toMatch(new RegExp(`${log.session_id}\\s+completed\\s+18/18`));
  });

  it('keeps every captured variable in the default layout, in pattern order, for names in any script', async () => {
    // Same prompt file name in two catalogs (hero.md in a and b), plus non-ASCII catalog and file names.
    await mkdir(path.join(workspace.directory, 'prompts/catalog_日本'), { recursive: true });
    await writeFile(path.join(workspace.directory, 'prompts/catalog_日本/café ✨ שלום.md'), 'A quiet street.\n');
    const run = await runInProcess(workspace, ['run', '--refs', refsPattern, '--prompts', promptsPattern, '--size', '512', '--out', 'out']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('{wardrobe}/{ui_style}/{combo}/{catalog}/{prompt_id}/{seq}-{prompt_id}-{size}.{ext}');
    const files = (await outputFiles(path.join(workspace.directory, 'out'))).map((file) => file.normalize('NFC'));
    expect(files).toHaveLength(12);
    for (const file of files) expect(file).toMatch(/^(summer|winter)\/(dark|light)\/c[12]\/(a|b|日本)\/(hero|detail|café ✨ שלום)\/\d{4}-\S.*-512\.png$/u);
    expect(files.filter((file) => file.startsWith('summer/dark/c1/a/hero/'))).toHaveLength(1);
    expect(files.filter((file) => file.startsWith('summer/dark/c1/b/hero/'))).toHaveLength(1);
    expect(files.filter((file) => file.startsWith('winter/dark/c1/日本/café ✨ שלום/'))).toHaveLength(1);
  });

  it('shows the plan on --dry-run and writes nothing', async () => {
    const run = await runInProcess(workspace, ['run', '--refs', refsPattern, '--prompts', promptsPattern, '--dry-run', '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ dry_run: true, tasks: 9, images: 9, cost_usd_by_lane: { online: 0 }, provider: 'local', model: 'local-transform' });
    expect(existsSync(path.join(workspace.directory, 'imagefleet-output'))).toBe(false);
    const sessions = await runInProcess(workspace, ['sessions', '--json']);
    expect(sessions.stdout).toBe('[]\n');
  });

  it('reads a plan file, flags winning, paths relative to the file', async () => {
    await writeFile(path.join(workspace.directory, 'plan.json'), JSON.stringify({ refs: refsPattern, prompts: [promptsPattern], count: 3, size: '512', out: 'from-plan' }));
    const run = await runInProcess(workspace, ['run', 'plan.json', '--count', '1', '--json', '--yes']);
    expect(run.code).toBe(0);
    const outcome = JSON.parse(run.stdout) as { status: string; summary: { total: number }; out: string };
    expect(outcome).toMatchObject({ status: 'completed', summary: { total: 9 }, out: path.join(workspace.directory, 'from-plan') });
    expect(run.stderr).toContain('Plan: 3 combos × 3 prompts × 1 image = 9 images');
  });

  it('uses a prompt template with the prompt, captured variables and combo.md', async () => {
    await writeFile(path.join(workspace.directory, 'template.txt'), '{prompt} Wardrobe: {wardrobe}. {combo_description}');
    const run = await runInProcess(workspace, ['run', '--refs', refsPattern, '--prompts', 'prompts/catalog_a/', '--prompt-template', 'template.txt', '--size', '512', '--out', 'out']);
    expect(run.code).toBe(0);
    const log = await readOnlySessionLog(path.join(workspace.directory, 'out'));
    expect(log.summary.completed).toBe(6);
    const { readPngTextChunks } = await import('../../src/core/png-text-chunks.js');
    const first = await readFile(path.join(workspace.directory, 'out', log.jobs[0]!.output!));
    expect(readPngTextChunks(new Uint8Array(first)).parameters).toContain('A close-up of the fabric. Wardrobe: summer. A summer wardrobe on a dark UI.');
  });

  it('Ctrl-C once lets the calls in flight finish and saves; resume finishes without generating anything twice', async () => {
    const out = path.join(workspace.directory, 'out');
    let press: (() => void) | undefined;
    const running = runInProcess(workspace, ['run', '--refs', refsPattern, '--prompts', promptsPattern, '--size', '512', '--concurrency', '2', '--out', 'out'], {
      env: { IMAGEFLEET_LOCAL_LATENCY_MS: '150' },
      onInterruptReady: (pressCtrlC) => (press = pressCtrlC),
    });
    // Press Ctrl-C once the first image is in the tree.
    for (let waited = 0; (await outputFiles(out)).length === 0; waited += 1) {
      if (waited > 600) throw new Error('no image appeared');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    press?.();
    const stopped = await running;
    expect(stopped.code).toBe(130);
    expect(stopped.stdout).toContain('Stopping: no new calls');
    const sessionId = sessionIdFrom(stopped.stdout);
    expect(stopped.stdout).toContain(`Continue with: imagefleet resume ${sessionId}`);
    const before = await readSessionLog(out, sessionId);
    expect(before.summary.completed).toBeGreaterThan(0);
    expect(before.summary.completed).toBeLessThan(9);
    expect(before.summary.running).toBe(0);
    const done = before.jobs.filter((job) => job.status === 'completed');
    const inodes = new Map(await Promise.all(done.map(async (job) => [job.output!, (await stat(path.join(out, job.output!))).ino] as const)));

    const resumed = await runInProcess(workspace, ['resume', sessionId.slice(0, 15)]);
    expect(resumed.code).toBe(0);
    const after = await readSessionLog(out, sessionId);
    expect(after.summary).toMatchObject({ total: 9, completed: 9 });
    for (const job of done) {
      const again = after.jobs.find((candidate) => candidate.id === job.id);
      expect(again).toMatchObject({ output: job.output, completed: job.completed, seed: job.seed });
      expect((await stat(path.join(out, job.output!))).ino).toBe(inodes.get(job.output!));
    }
    expect(await outputFiles(out)).toHaveLength(9);
  });

  it('re-running a seeded plan leaves out what already completed', async () => {
    const args = ['run', '--refs', refsPattern, '--prompts', 'prompts/catalog_b/', '--size', '512', '--seed', '7', '--out', 'out'];
    const first = await runInProcess(workspace, args);
    expect(first.code).toBe(0);
    const again = await runInProcess(workspace, args);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Nothing to do: all 3 calls of this plan already completed in earlier sessions');
    const sessions = JSON.parse((await runInProcess(workspace, ['sessions', '--json'])).stdout) as unknown[];
    expect(sessions).toHaveLength(1);
    expect(await outputFiles(path.join(workspace.directory, 'out'))).toHaveLength(3);
  });

  it('single: one combo of the given references × one prompt', async () => {
    const run = await runInProcess(workspace, ['single', '--ref', 'Combos/summer_combo/dark_UI_Combos/c1/pose.png', '--ref', 'Combos/winter_combo/dark_UI_Combos/c1', '--prompt', 'a red scarf', '--count', '2', '--size', '512', '--out', 'single-out']);
    expect(run.code).toBe(0);
    const log = await readOnlySessionLog(path.join(workspace.directory, 'single-out'));
    expect(log.summary).toMatchObject({ total: 2, completed: 2 });
    expect(log.jobs[0]).toMatchObject({ prompt_file: null, prompt_id: 'prompt' });
    expect(log.config).toMatchObject({ command: 'single', prompt: 'a red scarf' });
    const fromFile = await runInProcess(workspace, ['single', '--prompt', 'prompts/catalog_a/hero.md', '--size', '512', '--out', 'single-out']);
    expect(fromFile.code).toBe(0);
    expect(fromFile.stdout).toContain('1 combo × 1 prompt × 1 image');
  });

  it('upgrade makes the completed images again at a larger size, beside the old ones', async () => {
    const first = await runInProcess(workspace, ['run', '--refs', refsPattern, '--prompts', 'prompts/catalog_b/', '--size', '512', '--seed', '42', '--out', 'out']);
    expect(first.code).toBe(0);
    const sessionId = sessionIdFrom(first.stdout);
    const dry = await runInProcess(workspace, ['upgrade', sessionId, '--to', '1K', '--dry-run', '--json']);
    expect(JSON.parse(dry.stdout)).toMatchObject({ dry_run: true, tasks: 3, size: '1K' });

    const upgraded = await runInProcess(workspace, ['upgrade', sessionId, '--to', '1k']);
    expect(upgraded.code).toBe(0);
    const files = await outputFiles(path.join(workspace.directory, 'out'));
    expect(files.filter((file) => file.endsWith('-512.png'))).toHaveLength(3);
    expect(files.filter((file) => file.endsWith('-1K.png'))).toHaveLength(3);
    for (const small of files.filter((file) => file.endsWith('-512.png'))) expect(files).toContain(small.replace('-512.png', '-1K.png'));
    const upgradeId = /Session (\S+) upgrades/.exec(upgraded.stdout)?.[1];
    const status = JSON.parse((await runInProcess(workspace, ['status', upgradeId!, '--json'])).stdout) as { parent_session: string; counts: { completed: number } };
    expect(status).toMatchObject({ parent_session: sessionId, counts: { completed: 3 } });
    const original = await readSessionLog(path.join(workspace.directory, 'out'), sessionId);
    const upgrade = await readSessionLog(path.join(workspace.directory, 'out'), upgradeId!);
    expect(upgrade.jobs.map((job) => job.seed)).toEqual(original.jobs.map((job) => job.seed));
    expect(upgrade.config).toMatchObject({ command: 'upgrade', size: '1K', upgrade_of: sessionId });

    const again = await runInProcess(workspace, ['upgrade', sessionId, '--to', '1K']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Nothing to upgrade: every completed image');
  });

  it('cancel of a finished session and retry with nothing to retry say so', async () => {
    const first = await runInProcess(workspace, ['run', '--refs', refsPattern, '--prompts', 'prompts/catalog_b/', '--size', '512', '--out', 'out']);
    const sessionId = sessionIdFrom(first.stdout);
    const cancel = await runInProcess(workspace, ['cancel', sessionId]);
    expect(cancel.code).toBe(1);
    expect(cancel.stderr).toBe(`imagefleet: Session ${sessionId} already completed; there is nothing left to cancel.\n`);
    const retry = await runInProcess(workspace, ['retry', sessionId]);
    expect(retry.code).toBe(0);
    expect(retry.stdout).toContain('Nothing to retry');
  });

  it('shows examples in every command’s help', async () => {
    for (const command of ['run', 'single', 'status', 'sessions', 'resume', 'retry', 'upgrade', 'cancel']) {
      let help = '';
      const { runCli } = await import('../../src/cli/main.js');
      const code = await runCli(['node', 'imagefleet', command, '--help'], {
        environment: {},
        cwd: workspace.directory,
        stdout: { write: (text: string) => (help += text) },
        stderr: { write: () => undefined },
      });
      expect(code, command).toBe(0);
      expect(help, command).toContain('Examples:');
    }
  });
});

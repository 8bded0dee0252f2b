/**
 * The done-when test, through the real `imagefleet` bin: combos and catalogs in a temp
 * folder, `imagefleet run` with the local provider, the output tree and session log checked, the
 * process killed with SIGKILL mid-run, `imagefleet resume`, and then every image exists once and
 * nothing that had completed was generated again. The lease is ten minutes long: resume only
 * finishes in time because it takes back the dead process's calls at once.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionLog } from '../../src/core/session-log.js';
import { cleanEnvironment, runCli, startCli, within } from '../support/cli-process.js';
import { makeWorkspace, outputFiles, promptsPattern, refsPattern, type Workspace } from './cli-test-kit.js';

const layout = '{wardrobe}/{catalog}/{prompt_id}/{ui_style}/{combo}/{timestamp}-{prompt_id}-{size}.png';

interface StoredTask {
  id: string;
  ordinal: number;
  status: string;
  finished_at_ms: number | null;
}

function readStore(dataDir: string): { tasks: StoredTask[]; startsByTask: Map<string, number>; recoveries: number } {
  const db = new Database(path.join(dataDir, 'imagefleet.db'), { readonly: true });
  try {
    const tasks = db.prepare('SELECT id, ordinal, status, finished_at_ms FROM tasks ORDER BY ordinal').all() as StoredTask[];
    const starts = db.prepare("SELECT task_id, COUNT(*) AS count FROM events WHERE type = 'task.started' GROUP BY task_id").all() as Array<{ task_id: string; count: number }>;
    const recoveries = (db.prepare("SELECT COUNT(*) AS count FROM events WHERE type = 'task.recovered'").get() as { count: number }).count;
    return { tasks, startsByTask: new Map(starts.map((row) => [row.task_id, row.count])), recoveries };
  } finally {
    db.close();
  }
}

async function readLogIfAny(out: string): Promise<SessionLog | undefined> {
  const { readdir } = await import('node:fs/promises');
  try {
    const [name] = (await readdir(path.join(out, '.sessions'))).filter((file) => file.endsWith('-session.json'));
    return name ? (JSON.parse(await readFile(path.join(out, '.sessions', name), 'utf8')) as SessionLog) : undefined;
  } catch {
    return undefined;
  }
}

describe('imagefleet run, kill -9, resume (real bin, local provider)', () => {
  let workspace: Workspace;
  beforeEach(async () => {
    workspace = await makeWorkspace();
  });
  afterEach(() => workspace.cleanup());

  it('resumes a killed session: every image exists once, nothing completed is generated again', async () => {
    const out = path.join(workspace.directory, 'out');
    const env = cleanEnvironment({ IMAGEFLEET_LOCAL_LATENCY_MS: '300', IMAGEFLEET_LEASE_MS: '600000', IMAGEFLEET_IDLE_POLL_MS: '50' });
    const args = ['--data-dir', workspace.dataDir, 'run', '--refs', refsPattern, '--prompts', promptsPattern, '--count', '2', '--size', '512', '--concurrency', '2', '--layout', layout, '--out', 'out'];
    const cli = startCli(args, { cwd: workspace.directory, env });

    // The log exists before work starts and is rewritten as it goes; kill once a few images are done.
    let log: SessionLog | undefined;
    await within(
      (async () => {
        for (;;) {
          if (cli.child.exitCode !== null) throw new Error(`run ended before it was killed:\n${cli.stdout()}\n${cli.stderr()}`);
          log = await readLogIfAny(out);
          if (log && log.summary.completed >= 4) return;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      })(),
      60_000,
      'four images were not done within 60 s',
    );
    cli.child.kill('SIGKILL');
    const ended = await cli.exited;
    expect(ended.signal).toBe('SIGKILL');
    const sessionId = log!.session_id;
    expect(log!.jobs).toHaveLength(18);

    const atKill = readStore(workspace.dataDir);
    const completedAtKill = atKill.tasks.filter((task) => task.status === 'completed');
    expect(completedAtKill.length).toBeGreaterThanOrEqual(4);
    expect(completedAtKill.length).toBeLessThan(18);
    // Usually a call or two were in flight; their leases are the ones resume takes back.
    const runningAtKill = atKill.tasks.filter((task) => task.status === 'running').length;
    const filesAtKill = await outputFiles(out);
    const fileStats = new Map(await Promise.all(filesAtKill.map(async (file) => [file, await stat(path.join(out, file))] as const)));

    const resumed = await runCli(['--data-dir', workspace.dataDir, 'resume', sessionId], { cwd: workspace.directory, env: cleanEnvironment({ IMAGEFLEET_IDLE_POLL_MS: '50' }), timeoutMs: 60_000 });
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    if (runningAtKill > 0) expect(resumed.stdout).toContain(`Took back ${runningAtKill} call`);
    expect(resumed.stdout).toContain(`Session ${sessionId} completed: 18 of 18 done`);

    // The store: all done; what had completed was neither started again nor finished again.
    const after = readStore(workspace.dataDir);
    expect(after.tasks.every((task) => task.status === 'completed')).toBe(true);
    for (const task of completedAtKill) {
      expect(after.tasks.find((candidate) => candidate.id === task.id)?.finished_at_ms).toBe(task.finished_at_ms);
      expect(after.startsByTask.get(task.id)).toBe(atKill.startsByTask.get(task.id));
    }
    expect(after.recoveries).toBe(runningAtKill);

    // The tree: 18 files, one per call, each a different image; the files placed before the kill untouched.
    const files = await outputFiles(out);
    expect(files).toHaveLength(18);
    const contents = await Promise.all(files.map((file) => readFile(path.join(out, file))));
    expect(new Set(contents.map((bytes) => bytes.toString('base64'))).size).toBe(18);
    for (const [file, before] of fileStats) {
      const now = await stat(path.join(out, file));
      expect([now.ino, now.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
    }
    for (const file of files) expect(file).toMatch(/^(summer|winter)\/(a|b)\/(hero|detail)\/(dark|light)\/c[12]\/\d{8}-\d{6}-(hero|detail)-512(-\d+)?\.png$/);

    // The log mirrors it all.
    const finalLog = JSON.parse(await readFile(path.join(out, '.sessions', `${sessionId}-session.json`), 'utf8')) as SessionLog;
    expect(finalLog.summary).toMatchObject({ total: 18, completed: 18, failed: 0, blocked: 0, pending: 0 });
    expect(finalLog.jobs.map((job) => job.output).sort()).toEqual(files);
    for (const task of completedAtKill) {
      const before = log!.jobs[task.ordinal];
      const now = finalLog.jobs[task.ordinal];
      expect(now?.completed).toBe(new Date(task.finished_at_ms!).toISOString());
      if (before?.output) expect(now?.output).toBe(before.output);
    }
  });
});

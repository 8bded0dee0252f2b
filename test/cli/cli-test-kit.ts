/**
 * Helpers for the CLI session tests: a workspace of reference combos and prompt catalogs shaped
 * like the example, and `runCli` in-process with captured output and a fake Ctrl-C.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import type { CliContext } from '../../src/cli/cli-context.js';
import { runCli } from '../../src/cli/main.js';
import type { SessionLog } from '../../src/core/session-log.js';
import { makeTempDir } from '../support/temp-dir.js';

export interface Workspace {
  directory: string;
  dataDir: string;
  cleanup: () => Promise<void>;
}

/** The combo folders of the workspace, relative to it. */
export const comboFolders = ['Combos/summer_combo/dark_UI_Combos/c1', 'Combos/summer_combo/light_UI_Combos/c2', 'Combos/winter_combo/dark_UI_Combos/c1'];
export const refsPattern = 'Combos/{wardrobe}_combo/{ui_style}_UI_Combos/{combo}/';
export const promptsPattern = 'prompts/catalog_{catalog}/';

export async function png(hue: number, width = 48, height = 40): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: hue % 256, g: (hue * 7) % 256, b: 255 - (hue % 256) } } }).png().toBuffer();
}

/** Three combos of two references each, and two catalogs (three prompts, two named hero). */
export async function makeWorkspace(): Promise<Workspace> {
  const temp = await makeTempDir('imagefleet-cli-');
  let hue = 10;
  for (const folder of comboFolders) {
    await mkdir(path.join(temp.directory, folder), { recursive: true });
    for (const name of ['pose.png', 'product.png']) await writeFile(path.join(temp.directory, folder, name), await png((hue += 37)));
  }
  await writeFile(path.join(temp.directory, comboFolders[0]!, 'combo.md'), 'A summer wardrobe on a dark UI.\n');
  await mkdir(path.join(temp.directory, 'prompts/catalog_a'), { recursive: true });
  await mkdir(path.join(temp.directory, 'prompts/catalog_b'), { recursive: true });
  await writeFile(path.join(temp.directory, 'prompts/catalog_a/hero.md'), 'A hero shot on a beach at golden hour.\n');
  await writeFile(path.join(temp.directory, 'prompts/catalog_a/detail.txt'), 'A close-up of the fabric.\n');
  await writeFile(path.join(temp.directory, 'prompts/catalog_b/hero.md'), 'A hero shot in the snow.\n');
  return { directory: temp.directory, dataDir: path.join(temp.directory, 'data'), cleanup: temp.cleanup };
}

export interface InProcessRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface InProcessOptions {
  env?: Record<string, string>;
  /** Called with a function that presses Ctrl-C, once the command listens. */
  onInterruptReady?: (press: () => void) => void;
  stdin?: CliContext['stdin'];
  stdoutIsTty?: boolean;
  fleetOptions?: CliContext['fleetOptions'];
}

/** Runs `imagefleet ...args` in this process with `--data-dir` set to the workspace's. */
export async function runInProcess(workspace: Workspace, args: string[], options: InProcessOptions = {}): Promise<InProcessRun> {
  let stdout = '';
  let stderr = '';
  const context: CliContext = {
    environment: { IMAGEFLEET_DATA_DIR: workspace.dataDir, IMAGEFLEET_IDLE_POLL_MS: '20', ...options.env },
    cwd: workspace.directory,
    stdout: { write: (text: string) => (stdout += text), isTTY: options.stdoutIsTty === true, columns: 120 },
    stderr: { write: (text: string) => (stderr += text) },
    stdin: options.stdin ?? { isTTY: false },
    interrupts: (listener) => {
      options.onInterruptReady?.(() => listener('SIGINT'));
      return () => undefined;
    },
    ...(options.fleetOptions ? { fleetOptions: options.fleetOptions } : {}),
  };
  const code = await runCli(['node', 'imagefleet', ...args], context);
  return { code, stdout, stderr };
}

/** The one session log of the output folder. */
export async function readOnlySessionLog(outDirectory: string): Promise<SessionLog> {
  const folder = path.join(outDirectory, '.sessions');
  const names = (await readdir(folder)).filter((name) => name.endsWith('-session.json'));
  if (names.length !== 1) throw new Error(`expected one session log in ${folder}, found ${names.join(', ')}`);
  return JSON.parse(await readFile(path.join(folder, names[0]!), 'utf8')) as SessionLog;
}

export async function readSessionLog(outDirectory: string, sessionId: string): Promise<SessionLog> {
  return JSON.parse(await readFile(path.join(outDirectory, '.sessions', `${sessionId}-session.json`), 'utf8')) as SessionLog;
}

/** Every file under `directory` (relative, sorted), leaving out the session logs. */
export async function outputFiles(directory: string): Promise<string[]> {
  if (!existsSync(directory)) return [];
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(directory, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .filter((file) => !file.startsWith('.sessions/'))
    .sort();
}

/** The session id a run printed. */
export function sessionIdFrom(output: string): string {
  const match = /Session (\d{8}-\d{6}-[a-z0-9]{4})/.exec(output);
  if (!match) throw new Error(`no session id in:\n${output}`);
  return match[1]!;
}

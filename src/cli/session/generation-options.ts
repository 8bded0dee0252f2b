/**
 * The generation flags shared by `run` and `single` (and the keys of a plan file): their commander
 * declarations, and their validation into typed options. Flags win over the plan file, which wins
 * over the defaults. Relative paths resolve against the working directory for flags and against the
 * plan file's folder for the plan file. Every bad value is one sentence naming the flag and what it
 * accepts (`invalid_input`, exit 2).
 */
import path from 'node:path';
import { type Command } from 'commander';
import { z } from 'zod';
import { ImagefleetError } from '../../core/errors.js';
import { aspectRatios, imageSizes, type AspectRatio, type ImageSize } from '../../core/image-size.js';
import { lanes, type Lane } from '../../core/job.js';
import { parsePathPattern } from '../../core/path-pattern.js';
import { maxSeed } from '../../core/seeds.js';

/** A path pattern and the folder it is relative to. */
export interface PatternSource {
  pattern: string;
  baseDir: string;
}

/** Validated generation options, paths absolute. */
export interface GenerationOptions {
  refs: PatternSource[];
  prompts: PatternSource[];
  /** Inline prompt text (`--prompt TEXT`). */
  prompt: string | undefined;
  count: number;
  provider: string;
  /** Undefined = the provider's first model. */
  model: string | undefined;
  size: ImageSize;
  aspect: AspectRatio;
  concurrency: number | undefined;
  /** `--rpm`: a fixed rate (0 = unlimited), `auto` = learned from the provider's 429s; undefined = the provider's setting. */
  rpm: number | 'auto' | undefined;
  cooldownMs: number | undefined;
  out: string;
  /** `--layout` as given; undefined = `defaultLayoutFor` the patterns. */
  layout: string | undefined;
  promptTemplate: string | undefined;
  seed: number | undefined;
  lane: Lane;
  budgetUsd: number | undefined;
  /** Webhook URLs told about the session's job (`--webhook`, repeatable); empty = none. */
  webhooks: string[];
}

/** Flags as commander hands them over (strings; repeatable ones as arrays). */
export interface GenerationFlags {
  refs?: string[] | undefined;
  prompts?: string[] | undefined;
  prompt?: string | undefined;
  count?: string | undefined;
  provider?: string | undefined;
  model?: string | undefined;
  size?: string | undefined;
  aspect?: string | undefined;
  concurrency?: string | undefined;
  rpm?: string | undefined;
  cooldown?: string | undefined;
  out?: string | undefined;
  layout?: string | undefined;
  promptTemplate?: string | undefined;
  seed?: string | undefined;
  lane?: string | undefined;
  budget?: string | undefined;
  webhook?: string[] | undefined;
}

/** Output folder when `--out` is not given. */
export const defaultOutDirectory = 'imagefleet-output';

/** The file part of the default layout, after the folders: sequence number, prompt and size (an `upgrade` lands beside the original). */
const defaultLayoutFileName = '{seq}-{prompt_id}-{size}.{ext}';

/** Layout when `--layout` is not given and no pattern captures anything. */
export const defaultLayout = `{combo}/{prompt_id}/${defaultLayoutFileName}`;

/**
 * Layout when `--layout` is not given: one folder per captured variable in pattern order (the
 * refs' captures with `{combo}` after them unless captured, then the prompts' captures with
 * `{prompt_id}` after them), then the file name. Keeping every capture keeps catalogs and combos
 * apart: `hero.md` of two catalogs never shares a folder. Only names every combo and every prompt
 * has (`available`) are used, so several patterns with different captures still give a valid layout.
 */
export function defaultLayoutFor(refs: readonly PatternSource[], prompts: readonly PatternSource[], available: ReadonlySet<string>): string {
  const captured = (sources: readonly PatternSource[]): string[] => sources.flatMap((source) => parsePathPattern(source.pattern).names);
  const folders = [...captured(refs), 'combo', ...captured(prompts), 'prompt_id'].filter((name) => available.has(name));
  const unique = [...new Set(folders)];
  return `${unique.map((name) => `{${name}}`).join('/')}/${defaultLayoutFileName}`;
}

/** Collects a repeatable flag's values. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Declares the flags that shape what is generated and how (not which inputs). */
export function addGenerationFlags(command: Command): Command {
  return command
    .option('--count <n>', 'images per combo × prompt pair, 1–100 (default 1)')
    .option('--provider <id>', 'provider id: local, gemini, … (default local)')
    .option('--model <id>', "model id (default: the provider's first model)")
    .option('--size <size>', `output size: ${imageSizes.join('|')} (default 1K)`)
    .option('--aspect <W:H>', 'aspect ratio, e.g. 1:1, 3:4, 16:9 (default 1:1)')
    .option('--concurrency <n>', "calls in flight at once for this provider (default: the provider's setting)")
    .option('--rpm <n>', "requests per minute for this provider, 0 = unlimited, auto = learned from its 429s (default: the provider's setting)")
    .option('--cooldown <ms>', "minimum gap between two requests, ms (default: the provider's setting)")
    .option('--out <dir>', `output folder (default ./${defaultOutDirectory})`)
    .option('--layout <template>', `output path under --out (default: a folder per captured variable in pattern order, then "${defaultLayout}")`)
    .option('--prompt-template <file>', 'file whose text is sent, with {prompt} and captured {variables} filled in')
    .option('--seed <n>', 'seed of the first image of each prompt; later ones get seed+1, … (default random)')
    .option('--lane <lane>', 'online | batch (the discounted asynchronous lane, where offered; default online)')
    .option('--budget <usd>', 'spending cap in US dollars; the session stops claiming work once reached')
    .option('--webhook <url>', 'POST a signed event here when the job completes, fails, is canceled or paused (repeatable; the secret is printed once)', collect)
    .option('--dry-run', 'show the plan and its estimate; generate nothing')
    .option('--json', 'print machine-readable JSON on stdout instead of the human summary')
    .option('--yes', 'do not ask for confirmation when the estimated cost is high');
}

/** The settings of a plan file (and of the MCP `plan` and `start_session` tools): the flags' names and meanings. */
export const planFileSchema = z.strictObject({
  refs: z.union([z.string(), z.array(z.string())]).optional().describe("Reference combos: a folder pattern such as 'Combos/{style}/{combo}/' (one combo per matched folder, all its images are references) or a file pattern (single-image combos); {name} captures a variable, * matches anything."),
  prompts: z.union([z.string(), z.array(z.string())]).optional().describe("Prompt files (.md/.txt): a folder pattern such as 'prompts/catalog_{catalog}/' (each file is one prompt) or a file pattern."),
  prompt: z.string().optional().describe('One prompt given inline (with or instead of prompts).'),
  count: z.union([z.number(), z.string()]).optional().describe('Images per combo × prompt pair, 1–100 (default 1).'),
  provider: z.string().optional().describe('Provider id: local (offline, free, not AI), gemini, sdwebui, comfyui, runpod (default local).'),
  model: z.string().optional().describe("Model id (default: the provider's first model)."),
  size: z.string().optional().describe('Output size: 512, 1K, 2K or 4K (default 1K).'),
  aspect: z.string().optional().describe('Aspect ratio such as 1:1, 3:4, 16:9 (default 1:1).'),
  concurrency: z.union([z.number(), z.string()]).optional().describe('Calls in flight at once for this provider (default: its setting).'),
  rpm: z.union([z.number(), z.string()]).optional().describe('Requests per minute for this provider, 0 = unlimited, "auto" = learned from its 429s (default: its setting).'),
  cooldown: z.union([z.number(), z.string()]).optional().describe("Minimum gap between two requests, ms (default: the provider's setting)."),
  out: z.string().optional().describe('Output folder (default ./imagefleet-output).'),
  layout: z.string().optional().describe('Output path under out, with {variables} (default {combo}/{prompt_id}/{seq}-{prompt_id}-{size}.{ext}).'),
  promptTemplate: z.string().optional().describe('File whose text is sent, with {prompt} and captured {variables} filled in.'),
  seed: z.union([z.number(), z.string()]).optional().describe('Seed of the first image of each prompt; later ones get seed+1, … (default random).'),
  lane: z.string().optional().describe('online, or batch (the discounted asynchronous lane, where offered; default online).'),
  budget: z.union([z.number(), z.string()]).optional().describe('Spending cap in US dollars; the session stops claiming work once reached.'),
  webhook: z.union([z.string(), z.array(z.string())]).optional().describe('Webhook URL(s) told with a signed event when the job completes, fails, is canceled or paused.'),
});

/** A plan file's content: the same settings as the flags, in JSON, paths relative to the file. */
export type PlanFile = z.output<typeof planFileSchema>;

/** Validates a plan file's parsed JSON; one sentence naming the file and the bad key. */
export function parsePlanFile(value: unknown, fileLabel: string): PlanFile {
  const result = planFileSchema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const allowed = Object.keys(planFileSchema.shape).join(', ');
  if (issue?.code === 'unrecognized_keys') {
    throw usage(`The plan file ${fileLabel} has an unknown key "${issue.keys.join('", "')}"; allowed keys: ${allowed}.`);
  }
  const where = issue && issue.path.length > 0 ? `key "${issue.path.join('.')}"` : 'content';
  throw usage(`The plan file ${fileLabel} is not a plan: its ${where} ${issue?.path.length ? 'has the wrong type' : 'must be a JSON object'}; allowed keys: ${allowed}.`);
}

/**
 * Merges flags over a plan file over the defaults, and validates every value. `cwd` resolves the
 * flags' paths, `planDir` the plan file's.
 */
export function resolveGenerationOptions(flags: GenerationFlags, planFile: PlanFile | undefined, dirs: { cwd: string; planDir: string }): GenerationOptions {
  const fromFlag = <T>(value: T | undefined): { value: T; baseDir: string } | undefined => (value === undefined ? undefined : { value, baseDir: dirs.cwd });
  const fromPlan = <T>(value: T | undefined): { value: T; baseDir: string } | undefined => (value === undefined ? undefined : { value, baseDir: dirs.planDir });
  const pick = <K extends keyof GenerationFlags & keyof PlanFile>(key: K) => fromFlag(flags[key]) ?? fromPlan(planFile?.[key]);

  const patterns = (key: 'refs' | 'prompts'): PatternSource[] => {
    const chosen = pick(key);
    if (!chosen) return [];
    const list: unknown[] = Array.isArray(chosen.value) ? chosen.value : [chosen.value];
    return list.filter((pattern): pattern is string => typeof pattern === 'string').map((pattern) => ({ pattern, baseDir: chosen.baseDir }));
  };
  const text = (key: 'provider' | 'model' | 'layout' | 'prompt'): string | undefined => {
    const chosen = pick(key);
    if (chosen === undefined) return undefined;
    const value = String(chosen.value);
    if (value.trim() === '') throw usage(`--${key} is empty; give a value or leave the flag out.`);
    return value;
  };
  const pathOf = (key: 'out' | 'promptTemplate', flag: string): string | undefined => {
    const chosen = pick(key);
    if (chosen === undefined) return undefined;
    if (String(chosen.value).trim() === '') throw usage(`${flag} is empty; give a path or leave the flag out.`);
    return path.resolve(chosen.baseDir, String(chosen.value));
  };

  return {
    refs: patterns('refs'),
    prompts: patterns('prompts'),
    prompt: text('prompt'),
    count: parseWhole(pick('count')?.value, '--count', 1, 100) ?? 1,
    provider: text('provider') ?? 'local',
    model: text('model'),
    size: parseChoice(pick('size')?.value, '--size', imageSizes) ?? '1K',
    aspect: parseChoice(pick('aspect')?.value, '--aspect', aspectRatios) ?? '1:1',
    concurrency: parseWhole(pick('concurrency')?.value, '--concurrency', 1, 1024),
    rpm: parseRate(pick('rpm')?.value, '--rpm'),
    cooldownMs: parseWhole(pick('cooldown')?.value, '--cooldown', 0, 3_600_000),
    out: pathOf('out', '--out') ?? path.resolve(dirs.cwd, defaultOutDirectory),
    layout: text('layout'),
    promptTemplate: pathOf('promptTemplate', '--prompt-template'),
    seed: parseWhole(pick('seed')?.value, '--seed', 0, maxSeed),
    lane: parseChoice(pick('lane')?.value, '--lane', lanes) ?? 'online',
    budgetUsd: parsePositive(pick('budget')?.value, '--budget'),
    webhooks: webhookUrls(pick('webhook')?.value),
  };
}

const wholeNumberText = z.string().trim().regex(/^\d+$/).transform(Number);

const maxRequestsPerMinute = 1_000_000;

/** `auto` (any case) or a whole number of requests per minute from 0 to 1,000,000. */
export function parseRate(value: unknown, label: string): number | 'auto' | undefined {
  if (typeof value === 'string' && value.trim().toLowerCase() === 'auto') return 'auto';
  if (value === undefined) return undefined;
  const result = z.union([z.number(), wholeNumberText]).pipe(z.number().int().min(0).max(maxRequestsPerMinute)).safeParse(value);
  if (result.success) return result.data;
  throw usage(`${label} must be a whole number from 0 to ${maxRequestsPerMinute.toLocaleString('en-US')}, or "auto" to learn the rate from the provider's 429s (got ${JSON.stringify(value)}).`);
}

/** A whole number in [min, max] from a flag (text) or a plan file (number or text). */
export function parseWhole(value: unknown, label: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const result = z.union([z.number(), wholeNumberText]).pipe(z.number().int().min(min).max(max)).safeParse(value);
  if (result.success) return result.data;
  throw usage(`${label} must be a whole number from ${min} to ${max.toLocaleString('en-US')} (got ${JSON.stringify(value)}).`);
}

/** One of `choices`, case-insensitively for letters (`4k` = `4K`). */
export function parseChoice<T extends string>(value: unknown, label: string, choices: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  const text = typeof value === 'string' ? value.trim() : JSON.stringify(value);
  const choice = choices.find((candidate) => candidate === text) ?? choices.find((candidate) => candidate.toLowerCase() === text.toLowerCase());
  if (choice !== undefined) return choice;
  throw usage(`${label} must be one of ${choices.join(', ')} (got ${JSON.stringify(value)}).`);
}

function webhookUrls(value: unknown): string[] {
  if (value === undefined) return [];
  const list: unknown[] = Array.isArray(value) ? value : [value];
  return list.map((url) => {
    if (typeof url !== 'string' || url.trim() === '') throw usage('--webhook needs a URL such as https://hooks.example.com/imagefleet.');
    return url.trim();
  });
}

function parsePositive(value: unknown, label: string): number | undefined {
  if (value === undefined) return undefined;
  const result = z.union([z.number(), z.string().trim().regex(/^\d+(\.\d+)?$/).transform(Number)]).pipe(z.number().positive().finite()).safeParse(value);
  if (result.success) return result.data;
  throw usage(`${label} must be an amount of US dollars above 0, such as 2.50 (got ${JSON.stringify(value)}).`);
}

/** An `invalid_input` error: the command line or its files need fixing (exit 2). */
export function usage(message: string): ImagefleetError {
  return new ImagefleetError('invalid_input', message);
}

/**
 * `imagefleet run [plan-file] --refs PATTERN… --prompts PATTERN… [options]`: every reference combo
 * × every prompt file × `--count`, generated into `--out` following `--layout`, as a resumable
 * session (DESIGN §4, CLI planning).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import type { CliContext, CommandRegistration } from './cli-context.js';
import { addGenerationFlags, collect, parsePlanFile, resolveGenerationOptions, usage, type GenerationFlags, type GenerationOptions, type PlanFile } from './session/generation-options.js';
import { readPromptTemplate, relativePath, resolveCombos, resolvePrompts } from './session/resolve-inputs.js';
import { startSession } from './session/start-session.js';

interface RunFlags extends GenerationFlags {
  dryRun?: boolean;
  json?: boolean;
  yes?: boolean;
}

const examples = `
Examples:
  # every combo folder × every prompt file, two images each
  imagefleet run --refs 'Combos/{wardrobe}_combo/{ui_style}_UI_Combos/{combo}/' \\
                 --prompts 'prompts/catalog_{catalog}/' --count 2 \\
                 --layout '{wardrobe}/{catalog}/{prompt_id}/{ui_style}/{combo}/{timestamp}-{prompt_id}-{size}.png'

  # see the plan and its cost first; nothing is generated
  imagefleet run --refs 'refs/{product}.jpg' --prompt 'studio shot, white background' --dry-run

  # the same settings from a JSON file (flags override it)
  imagefleet run plan.json --size 2K --yes

Patterns: {name} captures part of a folder or file name as a variable, * matches anything;
a trailing / matches folders (one combo per folder, all its images are the references; a
combo.md or combo.json in it adds {combo_description} or more variables).
Layout variables: the captured ones, {combo} {prompt_id} {seq} {timestamp} {date} {size}
{aspect} {seed} {index} {image} {ext} {session} {provider} {model}.
Exit codes: 0 every call completed, 1 some failed or were blocked, 2 bad input, 130 stopped.`;

export const registerRunCommand: CommandRegistration = (program: Command, context: CliContext) => {
  addGenerationFlags(
    program
      .command('run')
      .argument('[plan-file]', 'JSON file with the same settings as the flags (refs, prompts, count, size, out, layout, …); flags win')
      .description('generate every reference combo × prompt file into an organised output tree, as a resumable session')
      .option('--refs <pattern>', "reference combos: a folder pattern such as 'Combos/{style}/{combo}/' (repeatable)", collect)
      .option('--prompts <pattern>', "prompt files (.md/.txt): a folder or file pattern such as 'prompts/catalog_{catalog}/' (repeatable)", collect)
      .option('--prompt <text>', 'one prompt given inline (with or instead of --prompts)'),
  )
    .addHelpText('after', examples)
    .action(async (planFile: string | undefined, flags: RunFlags, command: Command) => {
      let plan: PlanFile | undefined;
      let planDir = context.cwd;
      if (planFile !== undefined) {
        const planPath = path.resolve(context.cwd, planFile);
        plan = await readPlanFile(planPath, relativePath(context.cwd, planPath));
        planDir = path.dirname(planPath);
      }
      const options = resolveGenerationOptions(flags, plan, { cwd: context.cwd, planDir });
      const combos = await resolveCombos(options.refs, context.cwd);
      const prompts = await resolvePrompts(options.prompts, options.prompt, context.cwd);
      const promptTemplate = options.promptTemplate === undefined ? undefined : await readPromptTemplate(options.promptTemplate, context.cwd);
      await startSession(context, command, {
        command: 'run',
        options,
        combos,
        prompts,
        promptTemplate,
        config: { command: 'run', ...(planFile === undefined ? {} : { plan_file: planFile }), ...echoOptions(options, context.cwd) },
        dryRun: flags.dryRun === true,
        json: flags.json === true,
        yes: flags.yes === true,
      });
    });
};

async function readPlanFile(planPath: string, label: string): Promise<PlanFile> {
  let text: string;
  try {
    text = await readFile(planPath, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw usage(`Cannot read the plan file ${label} (${code === 'ENOENT' ? 'it does not exist' : (code ?? String(error))}); check the path.`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw usage(`The plan file ${label} is not valid JSON (${error instanceof Error ? error.message : String(error)}); fix it.`);
  }
  return parsePlanFile(parsed, label);
}

/** The settings as recorded in the session (paths relative to where the command ran). */
export function echoOptions(options: GenerationOptions, cwd: string): Record<string, unknown> {
  return {
    refs: options.refs.map((source) => (source.baseDir === cwd ? source.pattern : path.join(relativePath(cwd, source.baseDir), source.pattern))),
    prompts: options.prompts.map((source) => (source.baseDir === cwd ? source.pattern : path.join(relativePath(cwd, source.baseDir), source.pattern))),
    prompt: options.prompt ?? null,
    count: options.count,
    provider: options.provider,
    model: options.model ?? null,
    size: options.size,
    aspect: options.aspect,
    lane: options.lane,
    seed: options.seed ?? null,
    budget_usd: options.budgetUsd ?? null,
    concurrency: options.concurrency ?? null,
    rpm: options.rpm ?? null,
    cooldown_ms: options.cooldownMs ?? null,
    prompt_template: options.promptTemplate === undefined ? null : relativePath(cwd, options.promptTemplate),
  };
}

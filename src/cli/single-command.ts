/**
 * `imagefleet single --ref PATH… --prompt FILE|TEXT [options]`: one combo (the given references,
 * files or folders of images) × one prompt, as a session like `run`.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import type { CliContext, CommandRegistration } from './cli-context.js';
import { echoOptions } from './run-command.js';
import { addGenerationFlags, collect, resolveGenerationOptions, usage, type GenerationFlags } from './session/generation-options.js';
import { imagesInFolder, readPromptTemplate, referenceExtensions, relativePath, resolveCombos, resolvePrompts, type ResolvedCombo, type ResolvedPrompt } from './session/resolve-inputs.js';
import { startSession } from './session/start-session.js';

interface SingleFlags extends GenerationFlags {
  ref?: string[];
  dryRun?: boolean;
  json?: boolean;
  yes?: boolean;
}

const examples = `
Examples:
  imagefleet single --ref shoes/front.jpg --ref shoes/side.jpg --prompt prompts/beach.md --count 4
  imagefleet single --ref Combos/summer/combo_01/ --prompt 'on a wooden table, soft light' --size 2K
  imagefleet single --prompt 'a lighthouse at dusk' --provider gemini   # no references: text to image`;

export const registerSingleCommand: CommandRegistration = (program: Command, context: CliContext) => {
  addGenerationFlags(
    program
      .command('single')
      .description('generate from one set of references and one prompt, as a session')
      .option('--ref <path>', 'a reference image, or a folder of them (repeatable; omit for text to image)', collect)
      .requiredOption('--prompt <file|text>', 'a prompt file (.md/.txt) or the prompt text itself'),
  )
    .addHelpText('after', examples)
    .action(async (flags: SingleFlags, command: Command) => {
      const { ref, prompt, ...generation } = flags;
      const promptIsFile = prompt !== undefined && (await isFile(path.resolve(context.cwd, prompt)));
      const options = resolveGenerationOptions(generation, undefined, { cwd: context.cwd, planDir: context.cwd });
      const combos = await singleCombo(ref ?? [], context.cwd);
      const prompts: ResolvedPrompt[] = promptIsFile
        ? await resolvePrompts([{ pattern: prompt, baseDir: context.cwd }], undefined, context.cwd)
        : await resolvePrompts([], prompt, context.cwd);
      const promptTemplate = options.promptTemplate === undefined ? undefined : await readPromptTemplate(options.promptTemplate, context.cwd);
      await startSession(context, command, {
        command: 'single',
        options: { ...options, prompt: promptIsFile ? undefined : prompt },
        combos,
        prompts,
        promptTemplate,
        config: { command: 'single', refs_given: ref ?? [], ...echoOptions({ ...options, prompt: promptIsFile ? undefined : prompt }, context.cwd), prompt_file: promptIsFile ? prompt : null },
        dryRun: flags.dryRun === true,
        json: flags.json === true,
        yes: flags.yes === true,
      });
    });
};

/** The `--ref` paths as one combo: files as they are, folders as all their images. */
export async function singleCombo(refs: readonly string[], cwd: string): Promise<ResolvedCombo[]> {
  if (refs.length === 0) return resolveCombos([], cwd);
  const references: string[] = [];
  for (const ref of refs) {
    const absolute = path.resolve(cwd, ref);
    let isDirectory: boolean;
    try {
      isDirectory = (await stat(absolute)).isDirectory();
    } catch {
      throw usage(`The reference ${ref} does not exist; check the --ref path.`);
    }
    if (isDirectory) {
      const images = await imagesInFolder(absolute);
      if (images.length === 0) throw usage(`The folder ${ref} has no reference images (${referenceExtensions.join(', ')}); give image files or another folder with --ref.`);
      references.push(...images);
    } else {
      if (!referenceExtensions.includes(path.extname(absolute).toLowerCase())) {
        throw usage(`The reference ${ref} is not an image file (${referenceExtensions.join(', ')}); give image files or folders with --ref.`);
      }
      references.push(absolute);
    }
  }
  const unique = [...new Set(references)];
  const first = refs[0] ?? 'single';
  const name = refs.length === 1 ? path.basename(first.replace(/\/+$/, ''), path.extname(first)) : 'single';
  return [{ id: name || 'single', relative: refs.map((ref) => relativePath(cwd, path.resolve(cwd, ref))).join(', '), references: unique, variables: {}, description: '' }];
}

async function isFile(candidate: string): Promise<boolean> {
  try {
    return (await stat(candidate)).isFile();
  } catch {
    return false;
  }
}

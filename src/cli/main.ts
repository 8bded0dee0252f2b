/**
 * The `imagefleet` command-line program. Each command lives in its own file and is registered in
 * `commandRegistrations`; this file only wires the program and maps failures to exit codes.
 */
import { Command } from 'commander';
import { logLevels } from '../config/config.js';
import { appVersion } from '../fleet/app-version.js';
import type { CliContext, CommandRegistration } from './cli-context.js';
import { handleCliError } from './handle-cli-error.js';
import { registerServeCommand } from './serve-command.js';
import { registerWorkerCommand } from './worker-command.js';

/** Every command of the CLI, in help order. Add a command by adding its file here. */
const commandRegistrations: readonly CommandRegistration[] = [registerServeCommand, registerWorkerCommand];

/** Builds the commander program; failures throw (exitOverride) so `runCli` maps them in one place. */
export function buildProgram(context: CliContext): Command {
  const program = new Command('imagefleet')
    .description('Self-hostable batch image-generation studio: web studio, HTTP API, engine and CLI.')
    .version(appVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .option('--data-dir <path>', 'data directory (env IMAGEFLEET_DATA_DIR; default ./data)')
    .option('--log-level <level>', `${logLevels.join('|')} (env IMAGEFLEET_LOG_LEVEL; default info)`)
    .addHelpText('after', '\nEvery setting is an environment variable; see docs/configuration.md.')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => process.stdout.write(text),
      writeErr: (text) => process.stderr.write(text),
      // handleCliError prints the one line instead.
      outputError: () => undefined,
    });
  for (const register of commandRegistrations) register(program, context);
  return program;
}

/**
 * Runs the CLI with `argv` (as in `process.argv`: node, script, arguments…) and returns the exit
 * code. Long-running commands (serve, worker) resolve after their graceful stop.
 */
export async function runCli(argv: readonly string[], context: CliContext = { environment: process.env, cwd: process.cwd() }): Promise<number> {
  try {
    await buildProgram(context).parseAsync([...argv]);
    return 0;
  } catch (error) {
    return handleCliError(error, {
      writeError: (text) => process.stderr.write(text),
      debug: context.environment.IMAGEFLEET_DEBUG === '1',
    });
  }
}

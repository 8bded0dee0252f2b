/**
 * The `imagefleet` command-line program. Each command lives in its own file and is registered in
 * `commandRegistrations`; this file only wires the program and maps failures to exit codes.
 */
import { Command } from 'commander';
import { logLevels } from '../config/config.js';
import { appVersion } from '../fleet/app-version.js';
import { cliIo, type CliContext, type CommandRegistration } from './cli-context.js';
import { registerCancelCommand } from './cancel-command.js';
import { handleCliError } from './handle-cli-error.js';
import { registerMcpCommand } from './mcp-command.js';
import { registerMigrateStoreCommand } from './migrate-store-command.js';
import { registerResumeCommand } from './resume-command.js';
import { registerRetryCommand } from './retry-command.js';
import { registerRunCommand } from './run-command.js';
import { registerRunpodWorkerCommand } from './runpod-worker-command.js';
import { registerServeCommand } from './serve-command.js';
import { registerSessionsCommand } from './sessions-command.js';
import { registerSingleCommand } from './single-command.js';
import { registerStatusCommand } from './status-command.js';
import { registerUpgradeCommand } from './upgrade-command.js';
import { registerWorkerCommand } from './worker-command.js';

/** Every command of the CLI, in help order. Add a command by adding its file here. */
const commandRegistrations: readonly CommandRegistration[] = [
  registerServeCommand,
  registerWorkerCommand,
  registerRunCommand,
  registerSingleCommand,
  registerStatusCommand,
  registerSessionsCommand,
  registerResumeCommand,
  registerRetryCommand,
  registerUpgradeCommand,
  registerCancelCommand,
  registerMcpCommand,
  registerRunpodWorkerCommand,
  registerMigrateStoreCommand,
];

/** Builds the commander program; failures throw (exitOverride) so `runCli` maps them in one place. */
export function buildProgram(context: CliContext): Command {
  const io = cliIo(context);
  const program = new Command('imagefleet')
    .description('Self-hostable batch image-generation studio: web studio, HTTP API, engine and CLI.')
    .version(appVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .option('--data-dir <path>', 'data directory (env IMAGEFLEET_DATA_DIR; default ./data)')
    .option('--log-level <level>', `${logLevels.join('|')} (env IMAGEFLEET_LOG_LEVEL; default info)`)
    .addHelpText('after', '\nEvery setting is an environment variable; see docs/configuration.md.')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => void io.stdout.write(text),
      writeErr: (text) => void io.stderr.write(text),
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
    const { stderr } = cliIo(context);
    return handleCliError(error, {
      writeError: (text) => void stderr.write(text),
      debug: context.environment.IMAGEFLEET_DEBUG === '1',
    });
  }
}

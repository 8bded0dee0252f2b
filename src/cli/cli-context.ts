/**
 * What every command receives from `runCli`: the environment and working directory (so commands
 * stay testable and never read `process.env` themselves), plus the global flags.
 */
import type { Command } from 'commander';
import type { ConfigFlags } from '../config/load-config.js';

export interface CliContext {
  /** Environment variables; `process.env` when run from the bin shim. */
  environment: Record<string, string | undefined>;
  /** Directory relative paths (such as `--data-dir`) resolve against. */
  cwd: string;
}

/** Registers one command on the program. Every command file exports one of these. */
export type CommandRegistration = (program: Command, context: CliContext) => void;

/** The global flags (`--data-dir`, `--log-level`) as config flags, plus the working directory. */
export function globalConfigFlags(command: Command, context: CliContext): ConfigFlags {
  const options = command.optsWithGlobals<{ dataDir?: string; logLevel?: string }>();
  return { cwd: context.cwd, dataDir: options.dataDir, logLevel: options.logLevel };
}

/**
 * What every command receives from `runCli`: the environment and working directory (so commands
 * stay testable and never read `process.env` themselves), the terminal streams, plus the global
 * flags. Tests pass their own streams and interrupt source; the bin shim uses the process's.
 */
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import type { ConfigFlags } from '../config/load-config.js';
import type { CreateFleetOptions } from '../fleet/create-fleet.js';

/** Something commands write text to (stdout, stderr, or a test's buffer). */
export interface CliWritable {
  write(text: string): unknown;
  /** True when a person watches it in a terminal (live progress); default false. */
  readonly isTTY?: boolean | undefined;
  /** Terminal width in characters, when known. */
  readonly columns?: number | undefined;
}

/** Standard input, as far as commands use it: to ask a person to confirm. */
export interface CliInput {
  /** True when a person can answer questions; false in pipes, CI and tests. */
  readonly isTTY?: boolean | undefined;
  /** Asks one question and resolves with the answer line (only called when `isTTY`). */
  ask?(question: string): Promise<string>;
}

/** Subscribes to stop requests (Ctrl-C, SIGTERM); returns the unsubscribe function. */
export type InterruptSource = (listener: (signal: string) => void) => () => void;

export interface CliContext {
  /** Environment variables; `process.env` when run from the bin shim. */
  environment: Record<string, string | undefined>;
  /** Directory relative paths (such as `--data-dir`) resolve against. */
  cwd: string;
  /** Default: process.stdout. */
  stdout?: CliWritable;
  /** Default: process.stderr. */
  stderr?: CliWritable;
  /** Default: process.stdin (asking through readline). */
  stdin?: CliInput;
  /** Default: SIGINT and SIGTERM of this process. */
  interrupts?: InterruptSource;
  /** Extra wiring for the fleets commands open (tests register scripted providers here). */
  fleetOptions?: Pick<CreateFleetOptions, 'extraProviders' | 'extraLimits'>;
}

/** The streams of a context, defaults filled in. */
export interface CliIo {
  stdout: CliWritable;
  stderr: CliWritable;
  stdin: CliInput;
  interrupts: InterruptSource;
}

/** Registers one command on the program. Every command file exports one of these. */
export type CommandRegistration = (program: Command, context: CliContext) => void;

/** The global flags (`--data-dir`, `--log-level`) as config flags, plus the working directory. */
export function globalConfigFlags(command: Command, context: CliContext): ConfigFlags {
  const options = command.optsWithGlobals<{ dataDir?: string; logLevel?: string }>();
  return { cwd: context.cwd, dataDir: options.dataDir, logLevel: options.logLevel };
}

/** The context's streams, or the process's where the context has none. */
export function cliIo(context: CliContext): CliIo {
  return {
    stdout: context.stdout ?? process.stdout,
    stderr: context.stderr ?? process.stderr,
    stdin: context.stdin ?? processInput,
    interrupts: context.interrupts ?? processInterrupts,
  };
}

const processInput: CliInput = {
  get isTTY() {
    return process.stdin.isTTY === true;
  },
  async ask(question: string): Promise<string> {
    const reader = createInterface({ input: process.stdin, output: process.stderr });
    try {
      // Ctrl-C while asking closes the question; that counts as "no".
      return await new Promise<string>((resolve) => {
        reader.once('SIGINT', () => resolve(''));
        reader.once('close', () => resolve(''));
        reader.question(question).then(resolve, () => resolve(''));
      });
    } finally {
      reader.close();
    }
  },
};

const processInterrupts: InterruptSource = (listener) => {
  const onSignal = (signal: NodeJS.Signals): void => listener(signal);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
};

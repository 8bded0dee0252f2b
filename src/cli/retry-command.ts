/**
 * `imagefleet retry SESSION [--job ID]…`: runs failed calls of a session again, with fresh
 * attempts. Without `--job`, every failed call (blocked ones are left alone: the same prompt would
 * be blocked again); with `--job`, exactly the named ones (the ids of the session log), failed or
 * blocked.
 */
import type { Command } from 'commander';
import { cliIo, type CliContext, type CommandRegistration } from './cli-context.js';
import { CliExit, exitCodes } from './handle-cli-error.js';
import { collect } from './session/generation-options.js';
import { openSession } from './session/open-session.js';
import { retryCalls } from './session/retry-calls.js';
import { finishRun } from './session/start-session.js';

export const registerRetryCommand: CommandRegistration = (program: Command, context: CliContext) => {
  program
    .command('retry')
    .argument('<session>', 'session id (or a unique start of it)')
    .description('run the failed calls of a session again (or the ones named with --job)')
    .option('--job <id>', 'a call to retry, by its id in the session log, e.g. 0007 (repeatable)', collect)
    .option('--json', 'print the outcome as JSON')
    .addHelpText('after', '\nExamples:\n  imagefleet retry 20261121-153000-k3f9\n  imagefleet retry 20261121-153000-k3f9 --job 0007 --job 0012   # blocked ones too, when named')
    .action(async (sessionArgument: string, flags: { job?: string[]; json?: boolean }, command: Command) => {
      const io = cliIo(context);
      const { fleet, record, job } = await openSession(context, command, sessionArgument);
      try {
        const say = (text: string): void => void (flags.json ? io.stderr : io.stdout).write(`${text}\n`);
        const retried = await retryCalls(fleet, record, job, flags.job ?? []);
        if (retried === 0 && (flags.job ?? []).length === 0) {
          const counts = (await fleet.jobStatus(job.id)).counts;
          const blocked = counts.blocked > 0 ? ` ${counts.blocked} blocked by the safety filter are not retried unless named with --job.` : '';
          say(`Nothing to retry in session ${record.session_id}: no failed calls.${blocked}`);
          if (job.status === 'completed') return;
          if (job.status === 'failed') throw new CliExit(exitCodes.failure);
        }
        if (retried > 0) say(`Retrying ${retried} call${retried === 1 ? '' : 's'} of session ${record.session_id}.`);
        await finishRun(fleet, record, job.id, io, flags.json === true);
      } finally {
        await fleet.stop();
      }
    });
};

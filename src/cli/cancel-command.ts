/**
 * `imagefleet cancel SESSION`: stops a session for good. Calls not started are dropped, calls in
 * flight are aborted (here at once; in another process at its next heartbeat); completed images
 * stay in the output tree and the store.
 */
import type { Command } from 'commander';
import { cliIo, type CliContext, type CommandRegistration } from './cli-context.js';
import { openSession } from './session/open-session.js';
import { cancelSession } from './session/cancel-session.js';

export const registerCancelCommand: CommandRegistration = (program: Command, context: CliContext) => {
  program
    .command('cancel')
    .argument('<session>', 'session id (or a unique start of it)')
    .description('cancel a session: no further calls; completed images are kept')
    .option('--json', 'print the outcome as JSON')
    .addHelpText('after', '\nExamples:\n  imagefleet cancel 20261121-153000-k3f9')
    .action(async (sessionArgument: string, flags: { json?: boolean }, command: Command) => {
      const io = cliIo(context);
      const { fleet, record, job } = await openSession(context, command, sessionArgument);
      try {
        const canceled = await cancelSession(fleet, record, job);
        const { summary, logPath } = canceled;
        if (flags.json) {
          io.stdout.write(`${JSON.stringify({ session_id: record.session_id, job_id: job.id, status: canceled.status, summary, out: record.out, log: logPath }, null, 2)}\n`);
        } else {
          io.stdout.write(`Canceled session ${record.session_id}: ${summary.completed} of ${summary.total} images were done and are kept in ${record.out}.\n  log: ${logPath}\n`);
        }
      } finally {
        await fleet.stop();
      }
    });
};

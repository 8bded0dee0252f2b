/**
 * `imagefleet cancel SESSION`: stops a session for good. Calls not started are dropped, calls in
 * flight are aborted (here at once; in another process at its next heartbeat); completed images
 * stay in the output tree and the store.
 */
import type { Command } from 'commander';
import { ImagefleetError } from '../core/errors.js';
import { cliIo, type CliContext, type CommandRegistration } from './cli-context.js';
import { openSession } from './session/open-session.js';
import { syncSessionOutputs } from './session/session-runner.js';

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
        if (job.status === 'completed' || job.status === 'failed') {
          throw new ImagefleetError('conflict', `Session ${record.session_id} already ${job.status === 'completed' ? 'completed' : 'finished (with failures)'}; there is nothing left to cancel.`);
        }
        const canceled = await fleet.engine.cancelJob(job.id);
        const { summary, logPath } = await syncSessionOutputs(fleet, record, job.id);
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

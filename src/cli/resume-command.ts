/**
 * `imagefleet resume SESSION`: continues a session that stopped (Ctrl-C, a crash, kill -9, a
 * provider pause). Calls held by a process of this machine that no longer exists are taken back at
 * once; nothing that completed is generated again; completed images missing from the output tree
 * are placed again.
 */
import type { Command } from 'commander';
import { cliIo, type CliContext, type CommandRegistration } from './cli-context.js';
import { openSession } from './session/open-session.js';
import { assertNotCanceled } from './session/retry-calls.js';
import { finishRun } from './session/start-session.js';

export const registerResumeCommand: CommandRegistration = (program: Command, context: CliContext) => {
  program
    .command('resume')
    .argument('<session>', 'session id (or a unique start of it)')
    .description('continue a stopped session; completed images are never generated again')
    .option('--json', 'print the outcome as JSON')
    .addHelpText('after', '\nExamples:\n  imagefleet resume 20261121-153000-k3f9\n  imagefleet resume 20261121   # a unique start of the id is enough')
    .action(async (sessionArgument: string, flags: { json?: boolean }, command: Command) => {
      const io = cliIo(context);
      const { fleet, record, job } = await openSession(context, command, sessionArgument);
      try {
        assertNotCanceled(record, job, 'resumed');
        (flags.json ? io.stderr : io.stdout).write(`Resuming session ${record.session_id} (${job.status}).\n`);
        await finishRun(fleet, record, job.id, io, flags.json === true);
      } finally {
        await fleet.stop();
      }
    });
};

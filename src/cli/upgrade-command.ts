/**
 * `imagefleet upgrade SESSION --to 2K|4K`: makes every completed image of a session again at a
 * larger size (same prompt, references and seed), as a new session whose files land beside the
 * old ones in the same output tree.
 */
import type { Command } from 'commander';
import { imageSizes } from '../core/image-size.js';
import { cliIo, type CliContext, type CommandRegistration } from './cli-context.js';
import { parseChoice, usage } from './session/generation-options.js';
import { openSession } from './session/open-session.js';
import { confirmCost, planSummaryJson, planSummaryLines } from './session/plan-summary.js';
import { finishRun } from './session/start-session.js';
import { prepareUpgrade, submitUpgrade } from './session/upgrade-session.js';

interface UpgradeFlags {
  to?: string;
  dryRun?: boolean;
  json?: boolean;
  yes?: boolean;
}

export const registerUpgradeCommand: CommandRegistration = (program: Command, context: CliContext) => {
  program
    .command('upgrade')
    .argument('<session>', 'session id (or a unique start of it)')
    .description("re-generate a session's completed images at a larger size, new files beside the old")
    .requiredOption('--to <size>', `the new size: ${imageSizes.join('|')} (larger than the session's)`)
    .option('--dry-run', 'show what the upgrade would make and cost; generate nothing')
    .option('--json', 'print machine-readable JSON on stdout')
    .option('--yes', 'do not ask for confirmation when the estimated cost is high')
    .addHelpText('after', '\nExamples:\n  imagefleet upgrade 20261121-153000-k3f9 --to 4K\n  imagefleet upgrade 20261121-153000-k3f9 --to 2K --dry-run')
    .action(async (sessionArgument: string, flags: UpgradeFlags, command: Command) => {
      const io = cliIo(context);
      const size = parseChoice(flags.to, '--to', imageSizes);
      if (size === undefined) throw usage('--to is required: the size to upgrade to, e.g. --to 4K.');
      const { fleet, record, job } = await openSession(context, command, sessionArgument);
      try {
        const prepared = await prepareUpgrade(fleet, record, job, size);
        const summary = prepared.preview;
        if (flags.dryRun) {
          if (flags.json) io.stdout.write(`${JSON.stringify({ dry_run: true, ...planSummaryJson(summary) }, null, 2)}\n`);
          else io.stdout.write(`${planSummaryLines(summary).join('\n')}\nDry run: nothing was generated.\n`);
          return;
        }
        const say = (text: string): void => void (flags.json ? io.stderr : io.stdout).write(`${text}\n`);
        if (prepared.callCount === 0) {
          say(prepared.skippedTaskCount > 0 ? `Nothing to upgrade: every completed image of ${record.session_id} already exists at ${size}.` : `Nothing to upgrade: session ${record.session_id} has no completed images yet.`);
          if (flags.json) io.stdout.write(`${JSON.stringify({ session_id: null, status: 'nothing_to_do' }, null, 2)}\n`);
          return;
        }
        say(planSummaryLines(summary).join('\n'));
        await confirmCost(prepared.costUsd, io, { yes: flags.yes === true });
        const created = await submitUpgrade(fleet, prepared, context.cwd);
        const sessionId = created.record.session_id;
        say(`Session ${sessionId} upgrades ${record.session_id} to ${size} (${created.callCount} call${created.callCount === 1 ? '' : 's'}); "imagefleet resume ${sessionId}" continues it.`);
        await finishRun(fleet, created.record, created.jobId, io, flags.json === true);
      } finally {
        await fleet.stop();
      }
    });
};

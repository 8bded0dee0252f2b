/**
 * `imagefleet upgrade SESSION --to 2K|4K`: makes every completed image of a session again at a
 * larger size (same prompt, references and seed), as a new session whose files land beside the
 * old ones in the same output tree.
 */
import type { Command } from 'commander';
import { imageSizes } from '../core/image-size.js';
import { newSessionId } from '../core/session-log.js';
import { cliIo, type CliContext, type CommandRegistration } from './cli-context.js';
import { parseChoice, usage } from './session/generation-options.js';
import { openSession } from './session/open-session.js';
import { confirmCost, planSummaryJson, planSummaryLines } from './session/plan-summary.js';
import { finishRun } from './session/start-session.js';
import { readSessionRecord, removeSessionRecord, writeSessionRecord, type SessionRecord } from './session/session-records.js';

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
        let sessionId = newSessionId(Date.now(), Math.random);
        while (await readSessionRecord(fleet.config.dataDir, sessionId)) sessionId = newSessionId(Date.now(), Math.random);
        const preview = await fleet.upgradeJob({ jobId: job.id, size, name: sessionId }, { dryRun: true });
        const summary = {
          shape: `the ${preview.tasks.length + preview.skippedTaskCount} completed image(s) of ${record.session_id} at ${size}`,
          provider: job.provider,
          model: job.model,
          size,
          aspect: job.settings.aspectRatio,
          lane: job.lane,
          estimate: preview.estimate,
          warnings: [...preview.warnings, ...(preview.skippedTaskCount > 0 ? [`${preview.skippedTaskCount} of them were already upgraded to ${size}: left out`] : [])],
          out: record.out,
          layout: record.layout,
        };
        if (flags.dryRun) {
          if (flags.json) io.stdout.write(`${JSON.stringify({ dry_run: true, ...planSummaryJson(summary) }, null, 2)}\n`);
          else io.stdout.write(`${planSummaryLines(summary).join('\n')}\nDry run: nothing was generated.\n`);
          return;
        }
        const say = (text: string): void => void (flags.json ? io.stderr : io.stdout).write(`${text}\n`);
        if (preview.tasks.length === 0) {
          say(preview.skippedTaskCount > 0 ? `Nothing to upgrade: every completed image of ${record.session_id} already exists at ${size}.` : `Nothing to upgrade: session ${record.session_id} has no completed images yet.`);
          if (flags.json) io.stdout.write(`${JSON.stringify({ session_id: null, status: 'nothing_to_do' }, null, 2)}\n`);
          return;
        }
        say(planSummaryLines(summary).join('\n'));
        await confirmCost(preview.estimate.costUsdByLane[job.lane] ?? 0, io, { yes: flags.yes === true });
        const upgradeRecord: SessionRecord = {
          version: 1,
          session_id: sessionId,
          job_id: null,
          created: new Date().toISOString(),
          cwd: context.cwd,
          out: record.out,
          layout: record.layout,
          parent_session: record.session_id,
          config: { ...record.config, command: 'upgrade', size, upgrade_of: record.session_id },
        };
        await writeSessionRecord(fleet.config.dataDir, upgradeRecord);
        const created = await fleet.upgradeJob({ jobId: job.id, size, name: sessionId });
        if (!created.job) {
          await removeSessionRecord(fleet.config.dataDir, sessionId);
          throw usage(`Nothing to upgrade in session ${record.session_id}.`);
        }
        const saved = { ...upgradeRecord, job_id: created.job.id };
        await writeSessionRecord(fleet.config.dataDir, saved);
        say(`Session ${sessionId} upgrades ${record.session_id} to ${size} (${created.tasks.length} call${created.tasks.length === 1 ? '' : 's'}); "imagefleet resume ${sessionId}" continues it.`);
        await finishRun(fleet, saved, created.job.id, io, flags.json === true);
      } finally {
        await fleet.stop();
      }
    });
};

/**
 * `imagefleet status [SESSION] [--json]`: where a session stands, from the store (the source of
 * truth): counts, progress, rate, ETA, cost, current errors, where its files and log are.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { sessionLogFileName, sessionLogFolder } from '../core/session-log.js';
import { cliIo, type CliContext, type CommandRegistration } from './cli-context.js';
import { providerKeyText } from '../core/limit-key.js';
import { formatLearnedRate } from '../operations/learned-rate-status.js';
import { openSession } from './session/open-session.js';
import { formatCounts, formatDuration, formatUsd } from './session/progress-display.js';

export const registerStatusCommand: CommandRegistration = (program: Command, context: CliContext) => {
  program
    .command('status')
    .argument('[session]', 'session id (or a unique start of it); default: the newest session')
    .description("show a session's progress, cost and errors")
    .option('--json', 'print the status as JSON')
    .addHelpText('after', '\nExamples:\n  imagefleet status\n  imagefleet status 20261121-153000-k3f9 --json | jq .counts')
    .action(async (sessionArgument: string | undefined, flags: { json?: boolean }, command: Command) => {
      const io = cliIo(context);
      const { fleet, record, job } = await openSession(context, command, sessionArgument);
      try {
        const report = await fleet.jobStatus(job.id);
        const learned = await fleet.learnedRate(providerKeyText(job.provider, job.model));
        const logPath = path.join(record.out, sessionLogFolder, sessionLogFileName(record.session_id));
        if (flags.json) {
          io.stdout.write(
            `${JSON.stringify(
              {
                session_id: record.session_id,
                job_id: job.id,
                created: record.created,
                status: report.job.status,
                status_reason: report.job.statusReason ?? null,
                counts: report.counts,
                progress: report.progress,
                rate_per_minute: report.ratePerMinute,
                learned_rate: learned ? { phase: learned.phase, requests_per_minute: learned.requestsPerMinute, estimated_requests_per_minute: learned.estimatedRequestsPerMinute ?? null } : null,
                eta_seconds: report.etaSeconds ?? null,
                cost_usd: { estimated: report.cost.estimatedUsd, spent: report.cost.spentUsd },
                errors: report.errors,
                out: record.out,
                log: logPath,
                parent_session: record.parent_session,
                config: record.config,
              },
              null,
              2,
            )}\n`,
          );
          return;
        }
        const { counts } = report;
        const lines = [
          `Session ${record.session_id}: ${report.job.status}${report.job.statusReason ? ` (${report.job.statusReason})` : ''}`,
          `  ${formatCounts({ total: counts.total - counts.canceled, completed: counts.completed, failed: counts.failed, blocked: counts.blocked, running: counts.running, pending: counts.pending })}${counts.canceled > 0 ? ` · ${counts.canceled} canceled` : ''} (${Math.round(report.progress * 100)}%)`,
          `  rate ${report.ratePerMinute.toFixed(1)}/min · ETA ${report.etaSeconds === undefined ? '–' : formatDuration(report.etaSeconds)} · ${formatUsd(report.cost.spentUsd)} spent of ~${formatUsd(report.cost.estimatedUsd)}`,
          `  started ${record.created} · ${job.provider}/${job.model} ${job.settings.size} ${job.settings.aspectRatio}${learned ? ` · ${formatLearnedRate(learned)}` : ''}`,
          `  output: ${record.out}`,
          `  log:    ${logPath}`,
        ];
        for (const error of report.errors.slice(0, 5)) lines.push(`  ${error.status === 'queued' ? 'retrying' : error.status}: ${error.taskCount}× ${error.code}: ${error.message}`);
        io.stdout.write(`${lines.join('\n')}\n`);
      } finally {
        await fleet.stop();
      }
    });
};

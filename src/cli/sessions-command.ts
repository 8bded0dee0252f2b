/** `imagefleet sessions [--json]`: every CLI session of the data directory, newest first. */
import type { Command } from 'commander';
import { listCliSessions } from '../operations/list-cli-sessions.js';
import { cliIo, type CliContext, type CommandRegistration } from './cli-context.js';
import { cliConfig, openCliFleet } from './session/open-cli-fleet.js';
import { sessionOperationDependencies } from './session/session-operation-wiring.js';
import { describeSessionRecordsLocation, listSessionRecords } from './session/session-records.js';

export const registerSessionsCommand: CommandRegistration = (program: Command, context: CliContext) => {
  program
    .command('sessions')
    .description('list the sessions of the data directory, newest first')
    .option('--json', 'print the list as JSON')
    .addHelpText('after', '\nExamples:\n  imagefleet sessions\n  imagefleet sessions --json | jq -r ".[] | select(.status == \\"failed\\") | .session_id"')
    .action(async (flags: { json?: boolean }, command: Command) => {
      const io = cliIo(context);
      const config = cliConfig(context, command);
      const records = await listSessionRecords(config);
      if (records.length === 0) {
        if (flags.json) io.stdout.write('[]\n');
        else io.stdout.write(`No sessions in ${describeSessionRecordsLocation(config)} yet; start one with "imagefleet run".\n`);
        return;
      }
      const fleet = await openCliFleet(context, command, config);
      try {
        const sessions = await listCliSessions({ records, findByName: true, withCounts: true }, sessionOperationDependencies(fleet));
        const rows = sessions.map(({ record, job, counts }) => ({
          session_id: record.session_id,
          job_id: job?.id ?? null,
          created: record.created,
          status: job?.status ?? 'never_started',
          completed: counts?.completed ?? 0,
          failed: counts?.failed ?? 0,
          blocked: counts?.blocked ?? 0,
          total: counts ? counts.total - counts.canceled : 0,
          provider: job ? `${job.provider}/${job.model}` : null,
          size: job?.settings.size ?? null,
          out: record.out,
          parent_session: record.parent_session,
        }));
        if (flags.json) {
          io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
          return;
        }
        const table = [['SESSION', 'STATUS', 'DONE', 'FAILED', 'SIZE', 'PROVIDER', 'OUTPUT']];
        for (const row of rows) {
          table.push([row.session_id, row.status, `${row.completed}/${row.total}`, String(row.failed + row.blocked), row.size ?? '-', row.provider ?? '-', row.out]);
        }
        const widths = table[0]!.map((_cell, column) => Math.max(...table.map((line) => (line[column] ?? '').length)));
        io.stdout.write(`${table.map((line) => line.map((cell, column) => (column === line.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  ')).join('\n')}\n`);
      } finally {
        await fleet.stop();
      }
    });
};

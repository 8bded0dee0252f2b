/**
 * `imagefleet mcp`: a Model Context Protocol server on stdin/stdout, for AI assistants (see
 * docs/agents.md). Stdout carries only the protocol: logs go to stderr. Sessions started through it
 * run in this process; when the client disconnects (stdin ends) or on Ctrl-C/SIGTERM, they stop as
 * after one Ctrl-C (calls in flight finish; a second signal aborts them) and stay resumable.
 */
import { pino } from 'pino';
import type { Command } from 'commander';
import { createLogger } from '../config/create-logger.js';
import { cliIo, type CliContext, type CommandRegistration } from './cli-context.js';
import { cliConfig } from './session/open-cli-fleet.js';

export const registerMcpCommand: CommandRegistration = (program: Command, context: CliContext) => {
  program
    .command('mcp')
    .description('serve the Model Context Protocol on stdio, for AI assistants: plan, start, follow, retry, upgrade sessions and fetch images')
    .addHelpText('after', '\nClient configuration (e.g. Claude Desktop, Cursor):\n  {"command": "npx", "args": ["imagefleet", "mcp"], "env": {"IMAGEFLEET_DATA_DIR": "/path/to/data"}}\nTools and workflow: docs/agents.md.')
    .action(async (_flags: unknown, command: Command) => {
      // A bad configuration fails here, once, instead of in every tool.
      const config = cliConfig(context, command);
      const explicitLevel = command.optsWithGlobals<{ logLevel?: string }>().logLevel ?? context.environment.IMAGEFLEET_LOG_LEVEL;
      const logger = createLogger({ level: explicitLevel === undefined ? 'warn' : config.logLevel, destination: pino.destination({ dest: 2, sync: true }) });
      // Anything printed on stdout would corrupt the protocol; a stray console.log goes to stderr.
      console.log = console.error;
      console.info = console.error;
      // Loaded here so that --help and the other commands never load the SDK.
      const [{ StdioServerTransport }, { createMcpServer }, { SessionRuns }] = await Promise.all([import('@modelcontextprotocol/sdk/server/stdio.js'), import('../mcp/mcp-server.js'), import('../mcp/session-runs.js')]);
      const runs = new SessionRuns(logger);
      const server = createMcpServer({ cli: context, command, runs, logger });
      const transport = new StdioServerTransport();
      let stopRequested = false;
      let stopListening: () => void = () => undefined;
      const stopped = new Promise<string>((resolve) => {
        const requestStop = (reason: string): void => {
          stopRequested = true;
          resolve(reason);
        };
        // A signal while already stopping (a client that sends SIGTERM after closing stdin, a
        // second Ctrl-C) aborts the calls in flight now, so their leases are given back at once.
        stopListening = cliIo(context).interrupts((signal) => {
          if (stopRequested) runs.interruptAll();
          requestStop(signal);
        });
        process.stdin.once('end', () => requestStop('stdin closed'));
        server.server.onclose = () => requestStop('connection closed');
      });
      await server.connect(transport);
      logger.info({ dataDir: config.dataDir }, 'MCP server ready on stdio');
      const reason = await stopped;
      logger.info({ reason }, 'MCP server stopping; sessions running here stop after their calls in flight');
      try {
        await runs.stopAll();
        await server.close();
      } finally {
        stopListening();
      }
    });
};

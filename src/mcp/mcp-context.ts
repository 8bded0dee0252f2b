/**
 * What every MCP tool and resource receives: the CLI context (environment, working directory) and
 * the `mcp` command (for the global flags), so they open fleets and sessions exactly as the CLI
 * commands do; the runs of this server; and its logger (stderr).
 */
import type { Command } from 'commander';
import type { Logger } from '../core/logger.js';
import type { Fleet } from '../fleet/create-fleet.js';
import type { CliContext } from '../cli/cli-context.js';
import { cliConfig, openCliFleet, type LimitOverrides } from '../cli/session/open-cli-fleet.js';
import { openSession, type OpenedSession } from '../cli/session/open-session.js';
import type { SessionRecordsLocation } from '../cli/session/session-records.js';
import type { SessionRuns } from './session-runs.js';

export interface McpContext {
  cli: CliContext;
  /** The `mcp` command, whose global flags (`--data-dir`, `--log-level`) apply to every tool. */
  command: Command;
  runs: SessionRuns;
  logger: Logger;
}

/** The fleet of the data directory, with the provider limits given for this session, if any. */
export async function openMcpFleet(context: McpContext, limits?: LimitOverrides): Promise<Fleet> {
  return openCliFleet(context.cli, context.command, cliConfig(context.cli, context.command, limits));
}

/** Where the session records are: the configured store (and the data directory in use). */
export function mcpSessionRecordsLocation(context: McpContext): SessionRecordsLocation {
  return cliConfig(context.cli, context.command);
}

/**
 * Runs `use` on an existing session (an id or a unique start of it) and stops its fleet after,
 * unless `use` handed the fleet to a background run (returned `handedOver: true`).
 */
export async function withSession<T>(context: McpContext, sessionArgument: string, use: (session: OpenedSession) => Promise<{ value: T; handedOver?: boolean }>): Promise<T> {
  const session = await openSession(context.cli, context.command, sessionArgument);
  let handedOver = false;
  try {
    const result = await use(session);
    handedOver = result.handedOver === true;
    return result.value;
  } finally {
    if (!handedOver) await session.fleet.stop();
  }
}

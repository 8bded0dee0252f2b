/**
 * The MCP server: the batch workflow of the CLI as tools and resources for an AI assistant. It
 * only wires the tool groups and resources to the SDK's server; each tool calls the same use cases
 * as the CLI command it mirrors.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { appVersion } from '../fleet/app-version.js';
import { controlTools } from './control-tools.js';
import type { McpContext } from './mcp-context.js';
import { planTools } from './plan-tools.js';
import { providerTools } from './provider-tools.js';
import { registerResources } from './resources.js';
import { resultTools } from './result-tools.js';
import { sessionTools } from './session-tools.js';
import { installTools, type McpTool } from './tool-registry.js';

/** Told to the assistant when it connects: the workflow in a few lines (docs/agents.md has it all). */
const instructions = `imagefleet generates images in batches: every reference combo (a folder of reference images) × every prompt file × count, as a resumable session with a JSON session log.
Workflow: list_providers (what may be used, prices) → plan (dry run: images, calls, cost, time) → show the user the cost → start_session with max_cost_usd the user agreed to → wait_for_session (repeat while timed_out) → list_failures / retry_session → list_results / get_image → upgrade_session to a larger size.
Patterns: {name} captures part of a path as a variable, * matches anything, a trailing / matches folders. Paths are relative to cwd (default: where this server runs). provider "local" is offline and free (not AI).
Errors carry code, message and hint; invalid_input names the argument (as the CLI flag of the same name).`;

export function createMcpServer(context: McpContext): McpServer {
  const server = new McpServer({ name: 'imagefleet', title: 'imagefleet', version: appVersion() }, { instructions, capabilities: { resources: {} } });
  const tools: McpTool[] = [...providerTools(context), ...planTools(context), ...sessionTools(context), ...controlTools(context), ...resultTools(context)];
  installTools(server.server, tools, context.logger);
  registerResources(server, context);
  return server;
}

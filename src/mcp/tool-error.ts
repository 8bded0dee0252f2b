/**
 * The one place that turns a tool failure into an MCP tool result: `isError: true`, with the
 * project's error code, its message (which already names the thing and the fix), a hint on what an
 * assistant should do next, and the field-level issues. Unexpected errors become `internal` without
 * their detail (logged on stderr instead), as the HTTP API does.
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { isImagefleetError, type ErrorCode, type ErrorIssue } from '../core/errors.js';
import type { Logger } from '../core/logger.js';

/** The structured content of every failed tool call. */
export interface ToolErrorContent {
  /** One of the closed `ImagefleetError` codes (`invalid_input`, `not_found`, `budget_exceeded`, …). */
  code: ErrorCode;
  /** One sentence: what is wrong, naming the argument, file or session. */
  message: string;
  /** What to do next. */
  hint: string;
  /** Field-level problems of `invalid_input`, by argument path. */
  issues: ErrorIssue[];
  /** For rate limits and pauses: seconds to wait before trying again. */
  retry_after_seconds?: number;
  [key: string]: unknown;
}

const hintByCode: Readonly<Record<ErrorCode, string>> = {
  invalid_input:
    'Fix the argument the message names and call the tool again; "plan" checks inputs without generating anything. Messages use the CLI\'s words: --count is the count argument, --job is call_ids, "imagefleet sessions" is list_sessions, "imagefleet retry" is retry_session.',
  config_invalid: 'The server configuration is unusable: ask the user to fix the environment variable the message names (docs/configuration.md) and restart the MCP server.',
  not_found: 'Check the id: "list_sessions" lists sessions, "list_results" lists image ids.',
  conflict: 'The session is not in a state that allows this; "get_status" shows where it stands.',
  storage_unavailable: 'The data directory or database cannot be used; ask the user to check IMAGEFLEET_DATA_DIR (space, permissions).',
  budget_exceeded: 'The estimate is above max_cost_usd: ask the user before raising max_cost_usd, or make less (fewer prompts or combos, lower count or size).',
  canceled: 'The work was canceled; start a new session if more is wanted.',
  provider_rate_limited: 'The provider asked to slow down; wait and call again.',
  provider_transient: 'A temporary provider or network failure; call again later.',
  provider_blocked: 'The provider refused the content; change the prompt or the references.',
  provider_invalid: 'The provider rejected the request; change the setting it names (size, aspect, model).',
  provider_paused: 'The provider is paused (bad key or quota); ask the user to fix the key or wait for the quota, then "resume_session".',
  internal: 'An unexpected error; the MCP server log (stderr) has the details.',
  unauthorized: 'Credentials are missing or wrong; ask the user to configure them.',
  forbidden: 'This is not allowed here.',
  payload_too_large: 'Ask for less (a thumbnail instead of the full image, a smaller page).',
  unsupported_media_type: 'Use a PNG, JPEG or WebP image.',
  unprocessable: 'The input cannot be processed (e.g. a corrupt or too large image); replace it.',
  too_many_requests: 'Too much at once; wait and call again.',
  method_not_allowed: 'An HTTP-only error that no tool should meet; the MCP server log (stderr) has the details.',
};

/** The tool result for anything a tool threw. */
export function toolErrorResult(error: unknown, logger: Logger, toolName: string): CallToolResult {
  const content = toolErrorContent(error);
  if (content.code === 'internal') logger.error({ err: error, tool: toolName }, 'MCP tool failed unexpectedly');
  const text = [`${content.code}: ${content.message}`, `hint: ${content.hint}`, ...content.issues.map((issue) => `- ${issue.path || '(input)'}: ${issue.message}`)].join('\n');
  return { isError: true, content: [{ type: 'text', text }], structuredContent: content };
}

export function toolErrorContent(error: unknown): ToolErrorContent {
  if (!isImagefleetError(error) || error.code === 'internal') {
    return { code: 'internal', message: 'An unexpected error occurred; the MCP server log (stderr) has the details.', hint: hintByCode.internal, issues: [] };
  }
  return {
    code: error.code,
    message: error.message,
    hint: hintByCode[error.code],
    issues: error.issues,
    ...(error.retryAfterMs === undefined ? {} : { retry_after_seconds: Math.ceil(error.retryAfterMs / 1000) }),
  };
}

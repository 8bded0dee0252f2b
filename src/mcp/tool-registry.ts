/**
 * The MCP server's tools: each is declared with a zod schema (the project's shared ones where they
 * exist), listed with that schema as JSON Schema, and called with arguments parsed by it. The SDK's
 * own `registerTool` would answer bad arguments with a bare text error; parsing here gives them the
 * project's `invalid_input` code, issues and hint like every other failure (tool-error.ts).
 */
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ListToolsRequestSchema, type CallToolResult, type ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { Logger } from '../core/logger.js';
import { fromZodError } from '../core/zod-issues.js';
import { ImagefleetError } from '../core/errors.js';
import { toolErrorResult } from './tool-error.js';

/** What a tool hands back; structured content is always there, images only for `get_image`. */
export interface ToolAnswer {
  /** The result as JSON (also sent as text, for clients that show only text). */
  structured: Record<string, unknown>;
  /** A short human line put before the JSON text. */
  summary?: string;
  /** Image content blocks (base64 data and their media type). */
  images?: Array<{ data: string; mimeType: string }>;
}

/** A tool as declared by a tool group. */
export interface ToolDefinition<Input extends z.ZodType<Record<string, unknown>>> {
  name: string;
  title: string;
  description: string;
  input: Input;
  annotations?: ToolAnnotations;
  run(args: z.output<Input>): Promise<ToolAnswer>;
}

/** A declared tool with its types erased, so tools with different inputs share one list. */
export interface McpTool {
  name: string;
  title: string;
  description: string;
  inputJsonSchema: Record<string, unknown>;
  annotations: ToolAnnotations | undefined;
  call(args: unknown, logger: Logger): Promise<CallToolResult>;
}

export function defineTool<Input extends z.ZodType<Record<string, unknown>>>(definition: ToolDefinition<Input>): McpTool {
  return {
    name: definition.name,
    title: definition.title,
    description: definition.description,
    inputJsonSchema: z.toJSONSchema(definition.input, { io: 'input', unrepresentable: 'any' }),
    annotations: definition.annotations,
    async call(args: unknown, logger: Logger): Promise<CallToolResult> {
      try {
        const parsed = definition.input.safeParse(args ?? {});
        if (!parsed.success) throw fromZodError(parsed.error, `Invalid arguments for ${definition.name}`);
        const answer = await definition.run(parsed.data);
        const json = JSON.stringify(answer.structured, null, 2);
        return {
          content: [{ type: 'text', text: answer.summary === undefined ? json : `${answer.summary}\n${json}` }, ...(answer.images ?? []).map((image) => ({ type: 'image' as const, data: image.data, mimeType: image.mimeType }))],
          structuredContent: answer.structured,
        };
      } catch (error) {
        return toolErrorResult(error, logger, definition.name);
      }
    },
  };
}

/** Answers `tools/list` and `tools/call` on `server` with `tools`. */
export function installTools(server: Server, tools: readonly McpTool[], logger: Logger): void {
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  server.registerCapabilities({ tools: { listChanged: false } });
  server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: tools.map((tool) => ({
      name: tool.name,
      title: tool.title,
      description: tool.description,
      inputSchema: tool.inputJsonSchema as { type: 'object'; [key: string]: unknown },
      ...(tool.annotations ? { annotations: tool.annotations } : {}),
    })),
  }));
  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const tool = byName.get(request.params.name);
    if (!tool) return toolErrorResult(new ImagefleetError('not_found', `There is no tool "${request.params.name}"; the tools are ${[...byName.keys()].join(', ')}.`), logger, request.params.name);
    return tool.call(request.params.arguments, logger);
  });
}

/**
 * Resources: `imagefleet://sessions/{session_id}` is a session's log (the JSON file the CLI keeps
 * in `{out}/.sessions/`, rewritten as the session runs); `imagefleet://groups/{group_id}` is a
 * group (a folder of results, as in the web studio) with up to 100 of its images. Errors are protocol
 * errors whose message starts with the project's error code.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { findSessionRecord, listSessionRecords } from '../cli/session/session-records.js';
import { ImagefleetError } from '../core/errors.js';
import { sessionLogFileName, sessionLogFolder } from '../core/session-log.js';
import { relabelNotFound } from '../cli/relabel-not-found.js';
import { getGroup } from '../operations/get-group.js';
import { listGroups } from '../operations/list-groups.js';
import { listImages } from '../operations/list-images.js';
import { mcpSessionRecordsLocation, openMcpFleet, type McpContext } from './mcp-context.js';
import { toolErrorContent } from './tool-error.js';

/** Images listed in a group resource; list_results pages through a session's. */
const groupImageCount = 100;

/** Runs a resource read; an error becomes a protocol error carrying code, message and hint. */
async function reading<T>(logger: McpContext['logger'], read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    const content = toolErrorContent(error);
    if (content.code === 'internal') logger.error({ err: error }, 'MCP resource read failed unexpectedly');
    throw new McpError(content.code === 'internal' ? ErrorCode.InternalError : ErrorCode.InvalidParams, `${content.code}: ${content.message} (${content.hint})`, content);
  }
}

function single(value: string | string[] | undefined): string {
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

export function registerResources(server: McpServer, context: McpContext): void {
  server.registerResource(
    'session-log',
    new ResourceTemplate('imagefleet://sessions/{session_id}', {
      list: async () => ({
        resources: (await listSessionRecords(mcpSessionRecordsLocation(context))).slice(0, 100).map((record) => ({
          uri: `imagefleet://sessions/${record.session_id}`,
          name: `session ${record.session_id}`,
          description: `Session log of ${record.session_id} (${record.out})`,
          mimeType: 'application/json',
        })),
      }),
    }),
    {
      title: 'Session log',
      description: 'The session log JSON: session_id, status, config, jobs[] (id, prompt_file, combo, status, attempts, output, error, error_code, seed, cost_usd, variables) and summary.',
      mimeType: 'application/json',
    },
    async (uri, variables) =>
      reading(context.logger, async () => {
        const record = await findSessionRecord(mcpSessionRecordsLocation(context), single(variables.session_id));
        const logPath = path.join(record.out, sessionLogFolder, sessionLogFileName(record.session_id));
        let text: string;
        try {
          text = await readFile(logPath, 'utf8');
        } catch {
          throw new ImagefleetError('not_found', `Session ${record.session_id} has no log at ${logPath} yet (it is written when the session first runs); get_status reports from the store.`);
        }
        return { contents: [{ uri: uri.href, mimeType: 'application/json', text }] };
      }),
  );

  server.registerResource(
    'group',
    new ResourceTemplate('imagefleet://groups/{group_id}', {
      list: async () => {
        const fleet = await openMcpFleet(context);
        try {
          const groups = await listGroups({}, fleet);
          return { resources: groups.map((group) => ({ uri: `imagefleet://groups/${group.id}`, name: group.name, description: `${group.imageCount} images in ${group.jobCount} jobs`, mimeType: 'application/json' })) };
        } finally {
          await fleet.stop();
        }
      },
    }),
    {
      title: 'Group',
      description: `A group of results (a folder, as in the web studio): its name, job and image counts and up to ${groupImageCount} of its images (ids for get_image).`,
      mimeType: 'application/json',
    },
    async (uri, variables) =>
      reading(context.logger, async () => {
        const groupId = single(variables.group_id);
        const fleet = await openMcpFleet(context);
        try {
          const group = await getGroup({ groupId }, fleet).catch(relabelNotFound(`There is no group "${groupId}"; resources/list lists the groups.`));
          const images = await listImages({ groupId, limit: groupImageCount }, fleet);
          const body = {
            id: group.id,
            name: group.name,
            job_count: group.jobCount,
            image_count: group.imageCount,
            created: new Date(group.createdAtMs).toISOString(),
            images: images.map((image) => ({ image_id: image.id, job_id: image.jobId, prompt_id: image.promptId, seed: image.seed ?? null, width: image.width, height: image.height, created: new Date(image.createdAtMs).toISOString() })),
          };
          return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(body, null, 2) }] };
        } finally {
          await fleet.stop();
        }
      }),
  );
}

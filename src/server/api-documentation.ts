/**
 * The OpenAPI document reduced to what the `/api/docs` page shows: operations grouped by tag, their
 * parameters, bodies and responses, and every named schema as JSON.
 */
import { getFleet } from './fleet-holder.js';
import { buildOpenApiDocument } from './openapi.js';

export interface DocumentedOperation {
  method: string;
  path: string;
  summary: string;
  description: string;
  public: boolean;
  parameters: Array<{ name: string; in: string; required: boolean; description: string }>;
  requestBody: string | undefined;
  responses: Array<{ status: string; description: string; schema: string | undefined }>;
}

interface ApiDocumentation {
  version: string;
  groups: Array<{ tag: string; operations: DocumentedOperation[] }>;
  schemas: Array<{ name: string; json: string }>;
}

type Loose = Record<string, unknown>;

export async function apiDocumentation(): Promise<ApiDocumentation> {
  const fleet = getFleet();
  const version = fleet ? (await fleet.health().catch(() => undefined))?.version ?? '' : '';
  const document = buildOpenApiDocument(version) as unknown as { paths: Record<string, Record<string, Loose>>; components?: { schemas?: Record<string, unknown> } };
  const groups = new Map<string, DocumentedOperation[]>();
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, raw] of Object.entries(item)) {
      const operation = raw as Loose & { tags?: string[]; security?: unknown[]; parameters?: Loose[]; requestBody?: { content?: Record<string, Loose> }; responses?: Record<string, Loose> };
      const tag = operation.tags?.[0] ?? 'Other';
      const list = groups.get(tag) ?? [];
      groups.set(tag, list);
      list.push({
        method,
        path,
        summary: text(operation.summary),
        description: text(operation.description),
        public: Array.isArray(operation.security) && operation.security.length === 0,
        parameters: (operation.parameters ?? []).map((parameter) => ({
          name: String(parameter.name),
          in: String(parameter.in),
          required: parameter.required === true,
          description: text(parameter.description) || text((parameter.schema as Loose | undefined)?.description),
        })),
        requestBody: operation.requestBody?.content
          ? Object.entries(operation.requestBody.content)
              .map(([type, media]) => `${type}${schemaName(media.schema) ? ` (${schemaName(media.schema)})` : ''}`)
              .join(', ')
          : undefined,
        responses: Object.entries(operation.responses ?? {}).map(([status, response]) => {
          const content = response.content as Record<string, Loose> | undefined;
          const names = content ? Object.values(content).map((media) => schemaName(media.schema)).filter((name): name is string => name !== undefined) : [];
          return { status, description: text(response.description), schema: names.length > 0 ? names.join(' or ') : undefined };
        }),
      });
    }
  }
  const schemas = Object.entries(document.components?.schemas ?? {}).map(([name, schema]) => ({ name, json: JSON.stringify(schema, null, 2) }));
  return { version, groups: [...groups].map(([tag, operations]) => ({ tag, operations })), schemas };
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function schemaName(schema: unknown): string | undefined {
  const reference = (schema as { $ref?: unknown } | undefined)?.$ref;
  return typeof reference === 'string' ? reference.split('/').pop() : undefined;
}

/**
 * Checks an API response against the OpenAPI document the server publishes: the operation is
 * found by method and path, its status must be documented, its content type must be one the
 * document lists, and a JSON body must match the documented schema (ajv, JSON Schema 2020-12, as
 * OpenAPI 3.1 uses). The API tests run every response they receive through it (api-harness
 * `call`, served-api `fetchChecked`), so a new route is covered the day it is added.
 */
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { buildOpenApiDocument } from '../../src/server/openapi.js';

interface MediaType {
  schema?: unknown;
}
interface Operation {
  responses: Record<string, { content?: Record<string, MediaType> }>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components?: Record<string, unknown>;
}

const document = buildOpenApiDocument('0.0.0-test') as unknown as Document;
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
(addFormats as unknown as { default: (instance: typeof ajv) => void }).default(ajv);
ajv.addFormat('binary', true);
ajv.addSchema({ $id: 'openapi.json', components: document.components }, 'openapi.json');

const routes = Object.entries(document.paths).map(([routePath, item]) => ({
  routePath,
  item,
  pattern: new RegExp(`^${routePath.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}/?$`),
}));

const validators = new Map<string, ReturnType<typeof ajv.compile>>();

function validatorFor(schema: unknown): ReturnType<typeof ajv.compile> {
  const key = JSON.stringify(schema);
  let validate = validators.get(key);
  if (!validate) {
    // Component references resolve inside the document registered above.
    validate = ajv.compile({ ...(JSON.parse(key.replaceAll('"#/components/', '"openapi.json#/components/')) as object) });
    validators.set(key, validate);
  }
  return validate;
}

/** Problems with `response` as an answer to `method url`; empty when it is documented. Reads a clone. */
export async function responseProblems(method: string, url: string, response: Response): Promise<string[]> {
  const pathname = new URL(url, 'http://localhost').pathname;
  const where = `${method} ${pathname} → ${response.status}`;
  const route = routes.find((candidate) => candidate.pattern.test(pathname));
  const operationMethod = method.toLowerCase() === 'head' ? 'get' : method.toLowerCase();
  const operation = route?.item[operationMethod];
  const contentType = (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  const bodyless = method === 'HEAD' || response.status === 204 || response.status === 304 || response.body === null;
  // Only JSON is read here: an event stream never ends, and images and archives are checked by their tests.
  const text = bodyless || contentType !== 'application/json' ? '' : await response.clone().text();
  if (!operation) {
    // Unknown routes and methods answer the error body (404, 405, or 401 before either), which every client can read.
    if ([401, 404, 405].includes(response.status) && contentType === 'application/json') return errorShapeProblems(where, text);
    return [`${where}: no documented operation, and not a JSON 401/404/405`];
  }
  const documented = operation.responses[String(response.status)] ?? operation.responses.default;
  if (!documented) return [`${where}: status not documented (documented: ${Object.keys(operation.responses).join(', ')})`];
  if (bodyless) return [];
  const content = documented.content ?? {};
  const mediaType = content[contentType] ?? Object.entries(content).find(([name]) => name.endsWith('/*') && contentType.startsWith(name.slice(0, -1)))?.[1];
  if (!mediaType) return [`${where}: content type "${contentType}" not documented (documented: ${Object.keys(content).join(', ') || 'no body'})`];
  if (contentType !== 'application/json' || mediaType.schema === undefined) return [];
  if (text === '') return [`${where}: empty JSON body`];
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return [`${where}: body is not JSON`];
  }
  const validate = validatorFor(mediaType.schema);
  if (validate(body)) return [];
  return [`${where}: body does not match the documented schema: ${ajv.errorsText(validate.errors, { separator: '; ' }).slice(0, 800)}`];
}

function errorShapeProblems(where: string, text: string): string[] {
  const validate = validatorFor({ $ref: '#/components/schemas/Error' });
  try {
    return validate(JSON.parse(text)) ? [] : [`${where}: not the error shape`];
  } catch {
    return [`${where}: not JSON`];
  }
}

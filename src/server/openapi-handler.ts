/** `GET /api/openapi.json`: the OpenAPI document (public: it describes the API, holds no data). */
import { z } from 'zod';
import { apiRoute } from './api-route.js';
import { buildOpenApiDocument } from './openapi.js';
import { readQuery } from './request-input.js';

export const handleOpenApi = apiRoute(
  async ({ url, fleet }) => {
    readQuery(url, z.strictObject({}));
    // The fleet knows the version (read from package.json outside the Next bundle).
    const { version } = await fleet.health();
    return Response.json(buildOpenApiDocument(version, { tokenRequired: fleet.config.server.apiToken !== undefined }), { headers: { 'cache-control': 'public, max-age=300' } });
  },
  { access: 'public', name: 'GET /api/openapi.json' },
);

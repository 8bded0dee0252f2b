/** Any `/api/...` path no route serves: the error body API clients expect, not Next's HTML 404 page. */
import { ImagefleetError } from '../core/errors.js';
import { apiRoute } from './api-route.js';

export const handleUnknownRoute = apiRoute(
  ({ url }) => Promise.reject(new ImagefleetError('not_found', `No API route ${url.pathname}; see /api/docs for the routes.`)),
  { name: 'unknown API route' },
);

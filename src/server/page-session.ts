/**
 * Whether a page request must show the sign-in form: the server has an API token and the request
 * carries neither it nor the session cookie. Decided on the server, so signed-out visitors never
 * see a page that then fails its API calls.
 */
import { authRequired, isAuthenticated } from './auth.js';
import { getFleet } from './fleet-holder.js';

export function pageNeedsSignIn(requestHeaders: Headers): boolean {
  const fleet = getFleet();
  // Without a fleet (a build, or a broken start) the pages say the engine is not running instead.
  if (fleet === undefined || !authRequired(fleet.config)) return false;
  return !isAuthenticated(new Request('http://localhost/', { headers: requestHeaders }), fleet.config);
}

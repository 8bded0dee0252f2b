/**
 * Whether a page request must show the sign-in form: the server has an API token and the request
 * carries neither it nor a live session cookie (unknown, revoked, expired, idle or badly signed
 * cookies count as none). Decided on the server, so signed-out visitors never see a page that then
 * fails its API calls.
 */
import { authRequired, isAuthenticated } from './auth.js';
import { getFleet } from './fleet-holder.js';

export async function pageNeedsSignIn(requestHeaders: Headers): Promise<boolean> {
  const fleet = getFleet();
  // Without a fleet (a build, or a broken start) the pages say the engine is not running instead.
  if (fleet === undefined || !authRequired(fleet.config)) return false;
  try {
    return !(await isAuthenticated(new Request('http://localhost/', { headers: requestHeaders }), fleet));
  } catch (error) {
    // A store that cannot be read shows the sign-in form rather than a broken page; never a page without a check.
    fleet.logger.error({ err: error }, 'could not check the page session');
    return true;
  }
}

/** Whether this server signs browsers in at all (it has an API token), so pages offer "Sign out". */
export function pagesUseSignIn(): boolean {
  const fleet = getFleet();
  return fleet !== undefined && authRequired(fleet.config);
}

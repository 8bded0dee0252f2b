import type { Route } from 'next';

/**
 * The Studio page's address. Its page is built on another branch, so until both meet this
 * checkout's generated route types do not list it; built from a non-literal string, the cast is
 * needed (and accepted) whether or not the page exists yet.
 */
const studioSegment: string = 'studio';
export const studioRoute = `/${studioSegment}` as Route;

/**
 * Links to the Studio are not prefetched: in a checkout without its page, the prefetch is a 404
 * logged in the console of every page.
 */
export const studioPrefetch = false;

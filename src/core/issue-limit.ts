import type { ErrorIssue } from './errors.js';

/** Most field issues one validation error lists; enough to fix a form, small enough for one response. */
export const maxReportedIssues = 100;

/**
 * Keeps the first `limit` issues and, when there were more, adds one saying how many were left
 * out. A 20,000-reference job with every id wrong must not produce a megabyte-long error.
 */
export function limitIssues(issues: readonly ErrorIssue[], limit = maxReportedIssues): ErrorIssue[] {
  if (issues.length <= limit) return [...issues];
  const omitted = issues.length - limit;
  return [...issues.slice(0, limit), { path: '', message: `…and ${omitted.toLocaleString('en-US')} more problems of the same kinds` }];
}

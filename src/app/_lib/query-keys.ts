/**
 * The web app's server-state cache keys in one place, so live events invalidate exactly what the
 * pages read.
 */
export const queryKeys = {
  health: ['health'] as const,
  providers: ['providers'] as const,
  session: ['session'] as const,
  queue: ['queue'] as const,
  groups: ['groups'] as const,
  group: (groupId: string) => ['group', groupId] as const,
  /** Every image list of a group (any filter). */
  groupImages: (groupId: string) => ['group-images', groupId] as const,
  /** One filtered image list of a group. */
  groupImagesFiltered: (groupId: string, filter: Record<string, string>) => ['group-images', groupId, filter] as const,
  allGroupImages: ['group-images'] as const,
  job: (jobId: string) => ['job', jobId] as const,
  /** Every result list of a job (any filter). */
  jobResults: (jobId: string) => ['job-results', jobId] as const,
  /** One filtered result list of a job. */
  jobResultsFiltered: (jobId: string, filter: Record<string, string>) => ['job-results', jobId, filter] as const,
  allJobResults: ['job-results'] as const,
};

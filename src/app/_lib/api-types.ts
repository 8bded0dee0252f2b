/**
 * The API's wire types for the web app, inferred from the same zod schemas the server validates
 * with. Type-only imports: no zod or server code reaches the browser bundle.
 */
import type { z } from 'zod';
import type { errorBodySchema } from '../../server/schemas/common.js';
import type { groupDeletionSchema, groupListSchema, groupSchema } from '../../server/schemas/groups.js';
import type { regenerateResponseSchema } from '../../server/schemas/images.js';
import type { jobListResponseSchema, dryRunResponseSchema, jobControlResponseSchema, jobStatusSchema, planSchema, resultItemSchema, resultsResponseSchema, submitResponseSchema } from '../../server/schemas/jobs.js';
import type { queueEntrySchema, queueResponseSchema } from '../../server/schemas/queue.js';
import type { sessionStateSchema } from '../../server/schemas/session.js';
import type { assetSchema, zipUploadResponseSchema } from '../../server/schemas/uploads.js';
import type { eventDataSchema } from '../../server/schemas/events.js';
import type { providerInfoSchema, providerListSchema, providerModelSchema } from '../../server/schemas/providers.js';
import type { taskCancelResponseSchema, taskItemSchema, taskListSchema } from '../../server/schemas/tasks.js';
import type { uploadListItemSchema, uploadListSchema } from '../../server/schemas/uploads.js';
import type { HealthReport } from '../../fleet/fleet.js';

export type { SubmitBody, SubmitItemsBody, SubmitAutomaticBody } from '../../server/schemas/jobs.js';
export type ErrorBody = z.output<typeof errorBodySchema>;
export type Group = z.output<typeof groupSchema>;
export type GroupList = z.output<typeof groupListSchema>;
export type GroupDeletion = z.output<typeof groupDeletionSchema>;
export type JobStatus = z.output<typeof jobStatusSchema>;
export type JobControl = z.output<typeof jobControlResponseSchema>;
export type Plan = z.output<typeof planSchema>;
export type SubmitResponse = z.output<typeof submitResponseSchema>;
export type DryRunResponse = z.output<typeof dryRunResponseSchema>;
export type ResultImage = z.output<typeof resultItemSchema>;
export type ResultsPage = z.output<typeof resultsResponseSchema>;
export type RegenerateResponse = z.output<typeof regenerateResponseSchema>;
export type QueueEntry = z.output<typeof queueEntrySchema>;
export type QueueResponse = z.output<typeof queueResponseSchema>;
export type SessionState = z.output<typeof sessionStateSchema>;
export type Asset = z.output<typeof assetSchema>;
export type ZipUploadResponse = z.output<typeof zipUploadResponseSchema>;
export type LiveEvent = z.output<typeof eventDataSchema>;
export type ProviderList = z.output<typeof providerListSchema>;
export type ProviderInfo = z.output<typeof providerInfoSchema>;
export type ProviderModel = z.output<typeof providerModelSchema>;
export type UploadList = z.output<typeof uploadListSchema>;
export type UploadListItem = z.output<typeof uploadListItemSchema>;
export type TaskList = z.output<typeof taskListSchema>;
export type TaskItem = z.output<typeof taskItemSchema>;
export type TaskCancel = z.output<typeof taskCancelResponseSchema>;
export type JobList = z.output<typeof jobListResponseSchema>;
/** `GET /api/health` as JSON (undefined fields are left out by JSON). */
export type Health = Omit<HealthReport, 'providers'> & { providers: Array<Omit<HealthReport['providers'][number], 'pausedReason'> & { pausedReason?: string }> };

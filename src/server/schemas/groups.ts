/** The group routes' contract. */
import { z } from 'zod';
import { flagSchema, idSchema, pageCursorQuerySchema, pageLimitQuerySchema, timestampSchema } from './common.js';

/** As the store's `maxGroupNameLength` (group-repository.ts), which checks it again. */
const maxGroupNameLength = 100;

const nameSchema = z
  .string({ error: 'must be text' })
  .min(1, { error: 'must not be empty' })
  .max(maxGroupNameLength, { error: `must be at most ${maxGroupNameLength} characters` })
  // As normalizeGroupName (group-repository.ts): something besides spaces, and no control characters.
  // eslint-disable-next-line no-control-regex -- control characters are what the pattern refuses
  .regex(/^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$/, { error: 'must have a character besides spaces and no control characters' })
  .describe(`Group name, unique ignoring case (and Unicode form), at most ${maxGroupNameLength} characters after trimming, not blank, no control characters.`);

export const groupCreateBodySchema = z.strictObject({ name: nameSchema }).meta({ id: 'GroupCreate', example: { name: 'Spring catalogue' } });
export const groupPatchBodySchema = z.strictObject({ name: nameSchema }).meta({ id: 'GroupRename', example: { name: 'Spring catalogue (final)' } });

export const groupDeleteQuerySchema = z
  .strictObject({
    images: z.enum(['move', 'delete'], { error: 'must be move or delete' }).optional().describe('What to do with a non-empty group’s jobs and images: move them (with ?to=) or delete them. Without it only an empty group is deleted.'),
    to: idSchema.optional().describe('With images=move: the group that receives them.'),
  })
  .refine((query) => (query.images === 'move') === (query.to !== undefined), { error: 'images=move needs ?to=<groupId>, and ?to= goes only with images=move', path: ['to'] });

export const groupSchema = z
  .object({
    id: idSchema,
    name: z.string(),
    jobCount: z.number().int(),
    imageCount: z.number().int(),
    createdAt: timestampSchema,
    updatedAt: timestampSchema,
  })
  .meta({ id: 'Group' });

export const groupListSchema = z.object({ items: z.array(groupSchema) }).meta({ id: 'GroupList' });

export const groupDeletionSchema = z
  .object({
    deleted: z.literal(true),
    movedJobs: z.number().int(),
    movedImages: z.number().int(),
    deletedJobs: z.number().int(),
    deletedImages: z.number().int(),
  })
  .meta({ id: 'GroupDeletion' });

export const groupImagesQuerySchema = z.strictObject({
  cursor: pageCursorQuerySchema,
  limit: pageLimitQuerySchema({ maximum: 500, defaultValue: 100, what: 'Images' }),
  prompt: z.string().max(1000).optional().describe('Only images whose prompt contains this text (case-insensitive).'),
  source: z.string().max(255).optional().describe('Only images made from an uploaded reference whose file name contains this text (case-insensitive).'),
  favorite: flagSchema.optional().describe('1: only favourites; 0: only the others.'),
  status: z.enum(['kept', 'discarded', 'all'], { error: 'must be kept, discarded or all' }).optional().describe('kept (default), discarded, or all.'),
  job: idSchema.optional().describe('Only this job’s images.'),
});

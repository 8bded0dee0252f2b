import type { Kysely } from 'kysely';

/**
 * `jobs.queue_position`: where a job was placed by a queue reorder (PATCH /api/queue). The claim
 * orders jobs by priority, then position, then least recently served, so jobs moved ahead run
 * first in the order given while every job left at 0 keeps taking turns (docs/decisions/0010).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('jobs')
    .addColumn('queue_position', 'integer', (column) => column.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('jobs').dropColumn('queue_position').execute();
}

/**
 * The tables `migrate-store` copies, in the order it copies them: a table comes after every table
 * its foreign keys point to (jobs → groups, tasks → jobs, images → tasks, webhook_endpoints →
 * jobs, webhook_deliveries → webhook_endpoints). Adding a table to the schema is adding it here;
 * the copy refuses to start while the source has a table this list does not name.
 */
export const copiedTables: readonly string[] = Object.freeze([
  'groups',
  'assets',
  'jobs',
  'tasks',
  'images',
  'provider_state',
  'request_log',
  'events',
  'webhook_endpoints',
  'webhook_deliveries',
  'server_secrets',
  'web_sessions',
  'cli_sessions',
  'learned_rates',
]);

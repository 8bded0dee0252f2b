/**
 * "What the profile showed" for the engine-overhead benchmark: a maintained section of
 * docs/benchmarks.md (a profile is not taken on every `npm run bench`; it slows the run and the
 * .cpuprofile stays out of git). Refresh it by hand after a change to the hot path:
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/engine-overhead.ts --engine-only
 *   node --import tsx bench/support/cpu-profile-frames.ts /tmp/prof/<file>.cpuprofile 30
 */

/** Where and when the profile below was taken. */
const profileTaken = 'engine-only rounds (`--engine-only`, 3 × 2,000 tasks) of commit 1559521 on the 2-core benchmark machine at load 24–30, 2026-12-05; 11,725 busy main-thread samples';

/** Frames of the main thread, share of busy samples: self time, and total (anywhere on the stack). */
const profileRows: ReadonlyArray<readonly [frame: string, self: string, total: string, reading: string]> = [
  ['better-sqlite3 running statements (`executeQuery`, sqlite-driver)', '24.6%', '27.2%', 'SQLite itself on the main thread: the claim and completion statements and each COMMIT (WAL page writes, auto-checkpoints)'],
  ['sharp `toBuffer` → native `pipeline` (thumbnail)', '18.8%', '19.1%', 'the synchronous part of each sharp call: building the pipeline from ~200 options (~120–180 µs per call, measured apart); the floor pays it too'],
  ['`completeInTransaction` (task-queue.ts)', '0.2%', '8.3%', 'fenced completion: task, job, image row, concurrency, event, job-end probe'],
  ['file writes: `open`, `write`, `fdatasync`, `rename`, `close`, directory `fsync`', '~7%', '7.1% (`writeFilesAtomic`)', 'the durable part; the same calls in the floor'],
  ['`lease` (task-queue.ts)', '0.2%', '5.7%', 'one claimed task: lease write, job write (once per job per claim), `task.started` event'],
  ['`readLimitSnapshot` + `readHeadTask` (claim-snapshot.ts)', '0.2%', '8.4%', 'the set-based claim reads; the running-load aggregate per claim is the largest'],
  ['webhook deliverer loop (`runLoop`, `nextDueAtMs`)', '0.1%', '2.9%', 'it looks at the outbox after every `task.completed` even with no endpoint'],
  ['provenance stamp (`addPngTextChunks`, `buildProvenance`)', '1.0%', '2.0%', 'iTXt chunks and their CRC; a guarantee, kept'],
  ['`(garbage collector)`', '3.4%', '3.4%', ''],
  ['Kysely query building left (`visitNode`, `freeze`, …)', '~1.5%', '~2.7%', 'the statements not on the per-task path'],
  ['`DOMException`', '1.5%', '1.5%', 'a bare `AbortController.abort()` per task (heartbeat stop, engine wake) builds one with a stack trace'],
];

/** What the profiles led to, and what stays. */
const profileFindings: readonly string[] = [
  '**Before the change** (commit e460d47, same benchmark with the floor rounds): Kysely\'s builder and compiler (`visitNode`, `freeze`, `createExpressionBuilder`, `parseRowValues`, `parseStringReference`, …) were several percent of the main thread on their own, and measured apart the builder cost ~45 µs of an ~87 µs completion update; the webhook deliverer took SQLite\'s write lock, ran a join and committed after every completion even with nothing to deliver; each claimed task rewrote its job row; each attempt read its references twice.',
  '**Taken out:** the per-task statements (lease, fenced completion, image row, concurrency read, event append, webhook endpoint lookup, job-end probe, savepoints) run as fixed SQL texts on the same executor (`src/store/database/hot-statement.ts`, decision 0044); the outbox answers "nothing due" with one index probe before any lock; a claim writes each job once per transaction; provenance reuses the request\'s reference hashes; the engine\'s wake and the heartbeat stop abort with an explicit reason. None of this changes what is written, when it is durable, or how writes are fenced.',
  '**Then (issue 20, durable work):** the thumbnail is derived data, written by temp file and rename without fdatasync or directory sync and rebuilt from the durable output by every reader that finds it missing, empty, cut short or undecodable (decision 0048) — two of the four syncs per task gone, in the floor too; measured apart on the loaded machine, an unsynced 2 KB put cost ~350 µs of CPU (all threads, ~55 µs main) against ~560 µs (~110 µs main) synced. The completion group commit runs without savepoints and falls back to one savepoint per completion only when one fails (two statements fewer per task). Temp file names come from a per-process tag and a counter instead of 8 random bytes per file. A profile of that tree (engine only, load ~12) put `makeThumbnail` at 24% of the main thread (sharp\'s synchronous pipeline build, ~140–160 µs per call measured apart; libvips and the pool add ~1 ms per 64 px thumbnail whatever the sharp cache, concurrency or WebP effort), the claim (snapshot, head reads, lease) at ~15% and the completion at ~8%.',
  '**Then (issue 20, the main thread: claims and completions in batches, decision 0050):** counting the statements of a round showed a claim already took ~5 tasks (what the previous group commit freed) but wrote each apart, and each completion ran eight statements. A claim now reads a job\'s next heads in one statement and leases the planned tasks together (one task update, one read-back, one event insert); a group commit writes per batch what its completions share (spend per job, image rows, each key\'s concurrency and learned rate, events, the job-end probe); the claim snapshot and `BEGIN`/`COMMIT` are fixed texts; rows are read back by `SELECT` instead of `RETURNING` (measured apart: `UPDATE … RETURNING *` ~28 µs a row against ~12 µs for the update and a read). Side by side with the tree before (`bench/side-by-side.ts`, 2 + 2 runs, load 6–11) the main thread used 0.83× the CPU per task (0.91 against 1.10 ms), all threads 0.84×, at 1.30× the tasks/s; beside the floor in one run at load 2–3 that is 1.77× its main-thread CPU per task (0.91–0.97 against 0.52–0.53 ms; was ~2.15×), 1.19× over all threads, 487 against 614 tasks/s — the 1.5× goal on the main thread is still missed; a profile of the new tree (engine only, load ~15) put the claim at ~9% of the main thread (was ~15%) and the completion at ~8%. Having a claim join its turn\'s completion transaction measured no gain (1.01×) and was left out.',
  '**What stays and why:** SQLite\'s own statement and commit work (~27%) and the thumbnail (~19% of the main thread plus libvips on the pool) are most of what is left, and the floor pays both; the rest of the engine\'s surplus over the floor is SQLite work a guarantee needs and the floor does not do: each task\'s row is written twice (lease, then completion; every status change updates its seven status indexes) and gets a `task.started` event, plus a share of each claim\'s snapshot and commit. Fewer WAL checkpoints, fewer task indexes or a claim sharing the completions\' commit would cut it further; the first two change what a crash can lose or the schema, the last measured no gain (decision 0050).',
];

/** The maintained section, as Markdown. */
export function engineProfileSection(): string {
  const escape = (cell: string): string => cell.replace(/\|/g, '\\|');
  return [
    '### What the profile showed',
    `Main-thread CPU profile (\`node --cpu-prof\`) of ${profileTaken}; summarised by \`bench/support/cpu-profile-frames.ts\`, the profile itself is not kept.`,
    ['| Frame | Self | Total | What it is |', '|---|---|---|---|', ...profileRows.map((row) => `| ${row.map(escape).join(' | ')} |`)].join('\n'),
    profileFindings.join('\n\n'),
  ].join('\n\n');
}

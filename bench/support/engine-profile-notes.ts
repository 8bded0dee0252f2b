/**
 * "What the profile showed" for the engine-overhead benchmark: a maintained section of
 * docs/benchmarks.md (a profile is not taken on every `npm run bench`; it slows the run and the
 * .cpuprofile stays out of git). Refresh it by hand after a change to the hot path:
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/engine-overhead.ts --engine-only
 *   node --import tsx bench/support/cpu-profile-frames.ts /tmp/prof/<file>.cpuprofile 30
 */

/** Where and when the profile below was taken. */
const profileTaken = 'engine-only rounds (`--engine-only --skip-planning`, 3 × 2,000 tasks, 448–470 tasks/s) of commit 06480b9 (claims and completions in batches, decision 0050) on the 2-core Intel Xeon benchmark machine at load 3–4, 2026-12-05; 8,521 busy main-thread samples';

/** Frames of the main thread, share of busy samples: self time, and total (anywhere on the stack). */
const profileRows: ReadonlyArray<readonly [frame: string, self: string, total: string, reading: string]> = [
  ['file calls handed to the libuv pool: `open` 9.4%, `close` 6.4%, `rename` 5.9%, `writeBuffer` 5.2%, `fdatasync` 3.3%, `fsync` 1.1%', '31.3%', '22.9% (`writeAndSync`) + 5.9% (`rename`) + 3.3% (`syncDirectoryNow`)', 'not the system calls (they run on the pool) but handing each one over: ~12 per task (output: open, write, fdatasync, close, rename, and the shared directory sync; thumbnail: open, write, close, rename), ~25 µs of main-thread CPU each (0.31 of ~1.0 ms per task ÷ ~12) — most likely waking a pool thread on the other core, dear on this VM, though not measured apart; the floor makes the same calls through the same writer'],
  ['better-sqlite3 running statements (`executeQuery`, sqlite-driver)', '22.4%', '24.3%', 'SQLite itself on the main thread: the claim and completion statements and each COMMIT (WAL page writes, auto-checkpoints)'],
  ['sharp `toBuffer` → native `pipeline` (thumbnail)', '10.6%', '11.8% (`makeThumbnail`)', 'the synchronous part of each sharp call: building the pipeline from ~200 options; the floor pays it too'],
  ['`claimInTransaction` (task-queue.ts)', '0.3%', '8.7%', 'the claim: limit snapshot (1.1%), heads read ahead (`readHeadTasks`, 1.9%), leases written together (`leaseAll`, 7.5% with the events and request starts)'],
  ['`completeBatch` (task-queue.ts)', '0.5%', '7.9%', 'a group commit\'s completions: fenced task updates, spend per job, image rows, concurrency and learned rate per key, events, job-end probe'],
  ['provenance stamp (`addPngTextChunks`, `buildProvenance`)', '0.8%', '2.8%', 'iTXt chunks and their CRC; a guarantee, kept'],
  ['engine loop (`runLoop`, `launch`, `wait`)', '0.4%', '~3%', 'orchestration per claim and per task'],
  ['`(garbage collector)`', '1.7%', '1.7%', ''],
  ['module loading (`compileSourceTextModule`, source maps)', '~2%', '~2.7%', 'start-up of the benchmark process, inside the profile'],
];

/** What the profiles led to, and what stays. */
const profileFindings: readonly string[] = [
  '**Before the change** (commit e460d47, same benchmark with the floor rounds): Kysely\'s builder and compiler (`visitNode`, `freeze`, `createExpressionBuilder`, `parseRowValues`, `parseStringReference`, …) were several percent of the main thread on their own, and measured apart the builder cost ~45 µs of an ~87 µs completion update; the webhook deliverer took SQLite\'s write lock, ran a join and committed after every completion even with nothing to deliver; each claimed task rewrote its job row; each attempt read its references twice.',
  '**Taken out:** the per-task statements (lease, fenced completion, image row, concurrency read, event append, webhook endpoint lookup, job-end probe, savepoints) run as fixed SQL texts on the same executor (`src/store/database/hot-statement.ts`, decision 0044); the outbox answers "nothing due" with one index probe before any lock; a claim writes each job once per transaction; provenance reuses the request\'s reference hashes; the engine\'s wake and the heartbeat stop abort with an explicit reason. None of this changes what is written, when it is durable, or how writes are fenced.',
  '**Then (issue 20, durable work):** the thumbnail is derived data, written by temp file and rename without fdatasync or directory sync and rebuilt from the durable output by every reader that finds it missing, empty, cut short or undecodable (decision 0048) — two of the four syncs per task gone, in the floor too; measured apart on the loaded machine, an unsynced 2 KB put cost ~350 µs of CPU (all threads, ~55 µs main) against ~560 µs (~110 µs main) synced. The completion group commit runs without savepoints and falls back to one savepoint per completion only when one fails (two statements fewer per task). Temp file names come from a per-process tag and a counter instead of 8 random bytes per file. A profile of that tree (engine only, load ~12) put `makeThumbnail` at 24% of the main thread (sharp\'s synchronous pipeline build, ~140–160 µs per call measured apart; libvips and the pool add ~1 ms per 64 px thumbnail whatever the sharp cache, concurrency or WebP effort), the claim (snapshot, head reads, lease) at ~15% and the completion at ~8%.',
  '**Then (issue 20, the main thread: claims and completions in batches, decision 0050):** counting the statements of a round showed a claim already took ~5 tasks (what the previous group commit freed) but wrote each apart, and each completion ran eight statements. A claim now reads a job\'s next heads in one statement and leases the planned tasks together (one task update, one read-back, one event insert); a group commit writes per batch what its completions share (spend per job, image rows, each key\'s concurrency and learned rate, events, the job-end probe); the claim snapshot and `BEGIN`/`COMMIT` are fixed texts; rows are read back by `SELECT` instead of `RETURNING` (measured apart: `UPDATE … RETURNING *` ~28 µs a row against ~12 µs for the update and a read). Side by side with the tree before (`bench/side-by-side.ts`, 2 + 2 runs, load 6–11) the main thread used 0.83× the CPU per task (0.91 against 1.10 ms), all threads 0.84×, at 1.30× the tasks/s; beside the floor in one run at load 2–3 that is 1.77× its main-thread CPU per task (0.91–0.97 against 0.52–0.53 ms; was ~2.15×), 1.19× over all threads, 487 against 614 tasks/s — the 1.5× goal on the main thread is still missed; a profile of the new tree (engine only, load ~15) put the claim at ~9% of the main thread (was ~15%) and the completion at ~8%. Having a claim join its turn\'s completion transaction measured no gain (1.01×) and was left out.',
  '**What stays and why:** SQLite\'s own statement and commit work (~24%), handing file calls to the libuv pool (~31%) and the thumbnail\'s pipeline build (~11%) are most of the main thread, and the floor pays all three; the engine\'s surplus over the floor is SQLite work a guarantee needs and the floor does not do: each task\'s row is written twice (lease, then completion — the lease commits before the provider is called, so a crash cannot pay twice; every status change updates its seven status indexes) and gets a `task.started` event, plus a share of each claim\'s snapshot and commit (claim 8.7%, completions 7.9% of the main thread). Fewer WAL checkpoints, fewer or partial task indexes, or a claim sharing the completions\' commit would cut it further; the first two change what a crash can lose or the schema, the last measured no gain (decision 0050). The pool hand-offs are the largest lever for tasks/s, for the engine and the floor alike: one hand-off per file group (a writer thread doing the atomic sequence synchronously) instead of ~12 per task — not done yet.',
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

/**
 * The CLI session log's content: `{out}/.sessions/{session_id}-session.json`, a readable mirror of
 * one session (a `cli` job) in the store, for `jq` and diffs. The store is the source of truth; the
 * log is rebuilt from it (plus where each image was exported) whenever it is written. Pure: the
 * caller reads the store and writes the file.
 */
import type { JobStatus } from './job.js';
import type { Task, TaskStatus } from './task.js';

/** Version of the log's shape; bumped when a field changes meaning. */
export const sessionLogVersion = 1;

/** Folder under `--out` that holds the session logs. */
export const sessionLogFolder = '.sessions';

/** Status of one entry of the log. `retry` = waiting to be tried again after a failure. */
export type SessionJobStatus = 'pending' | 'running' | 'completed' | 'failed' | 'blocked' | 'retry' | 'canceled';

/** One provider call of the session, as the log shows it. */
export interface SessionLogJob {
  /** Zero-padded sequence (`0001`…), the id `retry --job` takes. */
  id: string;
  /** Prompt file, relative to the directory the session was started in; null for an inline prompt. */
  prompt_file: string | null;
  prompt_id: string;
  /** Combo (reference folder or file), relative to the start directory; null without references. */
  combo: string | null;
  status: SessionJobStatus;
  /**
   * Provider calls made for this entry: 1 for a call that succeeded first time, the failed ones
   * included, the one under way included. Rate-limited refusals are not calls made.
   */
  attempts: number;
  /** Output file relative to `--out`; null until exported. */
  output: string | null;
  /** Every output file when the call made more than one image. */
  outputs?: string[];
  /** Last error, as the provider or the engine said it; null when none. */
  error: string | null;
  error_code: string | null;
  /** ISO times of the last start and of the end. */
  started: string | null;
  completed: string | null;
  seed: number | null;
  cost_usd: number | null;
  /** Variables captured from the paths (and the built-ins), as the layout saw them. */
  variables: Record<string, string>;
}

export interface SessionLogSummary {
  total: number;
  completed: number;
  failed: number;
  blocked: number;
  /** Not finished yet: pending, running or waiting to retry. */
  pending: number;
  running: number;
  canceled: number;
  /** What the completed calls cost, USD. */
  cost_usd: number;
}

export interface SessionLog {
  session_id: string;
  job_id: string;
  version: number;
  /** ISO time the session was created. */
  started: string;
  /** ISO time of this write. */
  updated: string;
  /** The job's status in the store. */
  status: JobStatus;
  status_reason: string | null;
  /** What the session was started with (flags, patterns, provider, layout, …). */
  config: Record<string, unknown>;
  jobs: SessionLogJob[];
  summary: SessionLogSummary;
}

/** What the log needs of a task (a `Task` from the store has it all). */
export type SessionTaskView = Pick<Task, 'ordinal' | 'status' | 'attempts' | 'lastErrorCode' | 'lastErrorMessage' | 'finishedAtMs' | 'seed' | 'costUsd' | 'promptId' | 'variables'> & {
  startedAtMs?: number | undefined;
};

export interface SessionLogInput {
  sessionId: string;
  jobId: string;
  createdAtMs: number;
  nowMs: number;
  jobStatus: JobStatus;
  jobStatusReason: string | undefined;
  config: Record<string, unknown>;
  /** Every task of the job (any order). */
  tasks: readonly SessionTaskView[];
  /** Exported files (relative to `--out`) by task ordinal, in image order. */
  outputsByOrdinal: ReadonlyMap<number, readonly string[]>;
}

/**
 * Task variables the CLI records for the log's own fields (`prompt_file`, `combo`) or that would
 * bloat it (a combo's description), left out of each entry's `variables`.
 */
export const internalVariableNames: readonly string[] = ['prompt_file', 'combo_path', 'combo_description'];

/** Builds the log from the store's view of the session. Entries are in plan order. */
export function buildSessionLog(input: SessionLogInput): SessionLog {
  const tasks = [...input.tasks].sort((left, right) => left.ordinal - right.ordinal);
  const width = sessionJobIdWidth(tasks.length);
  const jobs = tasks.map((task): SessionLogJob => {
    const status = sessionJobStatus(task);
    const outputs = input.outputsByOrdinal.get(task.ordinal) ?? [];
    const showsError = status === 'failed' || status === 'blocked' || status === 'retry';
    const variables: Record<string, string> = {};
    for (const [name, value] of Object.entries(task.variables)) if (!internalVariableNames.includes(name)) variables[name] = value;
    const entry: SessionLogJob = {
      id: formatSessionJobId(task.ordinal, width),
      prompt_file: task.variables.prompt_file ?? null,
      prompt_id: task.variables.prompt_id ?? task.promptId,
      combo: task.variables.combo_path ?? null,
      status,
      attempts: callsMade(task),
      output: outputs[0] ?? null,
      error: showsError ? (task.lastErrorMessage ?? null) : null,
      error_code: showsError ? (task.lastErrorCode ?? null) : null,
      started: isoOrNull(task.startedAtMs),
      completed: status === 'completed' ? isoOrNull(task.finishedAtMs) : null,
      seed: task.seed ?? null,
      cost_usd: task.costUsd ?? null,
      variables,
    };
    if (outputs.length > 1) entry.outputs = [...outputs];
    return entry;
  });
  return {
    session_id: input.sessionId,
    job_id: input.jobId,
    version: sessionLogVersion,
    started: new Date(input.createdAtMs).toISOString(),
    updated: new Date(input.nowMs).toISOString(),
    status: input.jobStatus,
    status_reason: input.jobStatusReason ?? null,
    config: input.config,
    jobs,
    summary: summarizeSessionJobs(jobs),
  };
}

/**
 * The store counts failed attempts only (its `attempts` feeds the retry limit); the log counts
 * calls, as its readers understand the word, so the successful or running call is added.
 */
function callsMade(task: Pick<SessionTaskView, 'status' | 'attempts'>): number {
  return task.status === 'completed' || task.status === 'running' ? task.attempts + 1 : task.attempts;
}

/** The log's status of a task: a queued task that already failed once is `retry`. */
export function sessionJobStatus(task: Pick<SessionTaskView, 'status' | 'attempts' | 'lastErrorCode'>): SessionJobStatus {
  const status: TaskStatus = task.status;
  if (status === 'queued') return task.attempts > 0 || task.lastErrorCode !== undefined ? 'retry' : 'pending';
  return status;
}

export function summarizeSessionJobs(jobs: readonly Pick<SessionLogJob, 'status' | 'cost_usd'>[]): SessionLogSummary {
  const summary: SessionLogSummary = { total: jobs.length, completed: 0, failed: 0, blocked: 0, pending: 0, running: 0, canceled: 0, cost_usd: 0 };
  for (const job of jobs) {
    switch (job.status) {
      case 'completed':
      case 'failed':
      case 'blocked':
      case 'canceled':
        summary[job.status] += 1;
        break;
      case 'running':
        summary.running += 1;
        summary.pending += 1;
        break;
      case 'pending':
      case 'retry':
        summary.pending += 1;
        break;
    }
    summary.cost_usd += job.cost_usd ?? 0;
  }
  summary.cost_usd = Math.round(summary.cost_usd * 1_000_000) / 1_000_000;
  return summary;
}

/** Digits of the zero-padded ids: at least 4, more for sessions of 10,000 calls or more. */
export function sessionJobIdWidth(total: number): number {
  return Math.max(4, String(total).length);
}

/** `0001` for ordinal 0. */
export function formatSessionJobId(ordinal: number, width: number): string {
  return String(ordinal + 1).padStart(width, '0');
}

/** The ordinal of a log id (`0007` or `7` → 6), or undefined when it is not one. */
export function parseSessionJobId(id: string): number | undefined {
  if (!/^\d{1,9}$/.test(id.trim())) return undefined;
  const sequence = Number(id.trim());
  return sequence >= 1 ? sequence - 1 : undefined;
}

/** File name of a session's log inside `.sessions`. */
export function sessionLogFileName(sessionId: string): string {
  return `${sessionId}-session.json`;
}

/** Session ids are safe file-name parts: letters, digits, `-`, `_` and `.`, not starting with `.`. */
export const sessionIdPattern = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

/**
 * A new session id: UTC start time and four random characters, `20261121-153000-k3f9`. Sorts by
 * time, reads at a glance, and is unlikely to repeat even for sessions started the same second.
 */
export function newSessionId(nowMs: number, random: () => number): string {
  const iso = new Date(nowMs).toISOString();
  const stamp = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
  const alphabet = 'abcdefghijkmnpqrstuvwxyz23456789';
  let suffix = '';
  for (let index = 0; index < 4; index += 1) suffix += alphabet[Math.floor(random() * alphabet.length) % alphabet.length];
  return `${stamp}-${suffix}`;
}

function isoOrNull(ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toISOString();
}

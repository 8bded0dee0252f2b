/**
 * Sessions running inside the MCP server process. A tool that starts work (`start_session`,
 * `resume_session`, `retry_session`, `upgrade_session`) hands its fleet to `start`, which runs the
 * session with the CLI's own runner (output tree, session log, engine in-process) in the
 * background, and answers at once; `get_status` and `wait_for_session` look here. The runner's
 * progress lines are kept (the last few) instead of printed: stdout is the protocol channel.
 */
import { ImagefleetError, toImagefleetError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Fleet } from '../fleet/create-fleet.js';
import type { CliIo, CliWritable } from '../cli/cli-context.js';
import { runSession, type SessionOutcome } from '../cli/session/session-runner.js';
import type { SessionRecord } from '../cli/session/session-records.js';
import { relabelNotFound } from '../cli/relabel-not-found.js';
import { getJob } from '../operations/get-job.js';

/** Progress lines kept per run. */
const keptLineCount = 30;

/** What is known of a run of this server. */
export interface SessionRunView {
  /** True while the session runs in this server. */
  running: boolean;
  /** ISO time this run started (and ended). */
  started: string;
  ended: string | null;
  /** How the run ended: the job status, and why it stopped early, if it did. */
  outcome: { status: string; stopped_because: string | null; summary: SessionOutcome['summary']; log: string } | null;
  /** The run failed (the store or an export broke): the error code and message. */
  error: { code: string; message: string } | null;
  /** The last progress lines (completions, failures, retries), oldest first. */
  recent_lines: string[];
}

interface SessionRun {
  fleet: Fleet;
  startedAtMs: number;
  endedAtMs: number | undefined;
  outcome: SessionOutcome | undefined;
  error: ImagefleetError | undefined;
  lines: string[];
  interruptListeners: Set<(signal: string) => void>;
  done: Promise<void>;
}

export class SessionRuns {
  private readonly runs = new Map<string, SessionRun>();

  constructor(private readonly logger: Logger) {}

  isRunning(sessionId: string): boolean {
    const run = this.runs.get(sessionId);
    return run !== undefined && run.endedAtMs === undefined;
  }

  /** Runs the session on `fleet` (which it then owns and stops); `conflict` when it already runs here. */
  start(fleet: Fleet, record: SessionRecord, jobId: string): void {
    if (this.isRunning(record.session_id)) {
      throw new ImagefleetError('conflict', `Session ${record.session_id} is already running in this MCP server; follow it with "get_status" or "wait_for_session".`);
    }
    const lines: string[] = [];
    const interruptListeners = new Set<(signal: string) => void>();
    const sink: CliWritable = {
      write: (text: string) => {
        for (const line of text.split('\n')) {
          if (line.trim() === '') continue;
          lines.push(line);
          if (lines.length > keptLineCount) lines.shift();
        }
      },
    };
    const io: CliIo = {
      stdout: sink,
      stderr: sink,
      stdin: { isTTY: false },
      interrupts: (listener) => {
        interruptListeners.add(listener);
        return () => interruptListeners.delete(listener);
      },
    };
    const run: SessionRun = { fleet, startedAtMs: Date.now(), endedAtMs: undefined, outcome: undefined, error: undefined, lines, interruptListeners, done: Promise.resolve() };
    run.done = (async () => {
      try {
        const job = await getJob({ jobId }, fleet).catch(relabelNotFound(`The job of session ${record.session_id} no longer exists.`));
        run.outcome = await runSession({ fleet, record, job, io, json: true });
      } catch (error) {
        run.error = toImagefleetError(error);
        this.logger.error({ err: error, sessionId: record.session_id }, 'MCP session run failed');
      } finally {
        await fleet.stop().catch((error: unknown) => this.logger.error({ err: error }, 'MCP session fleet did not stop cleanly'));
        run.endedAtMs = Date.now();
      }
    })();
    this.runs.set(record.session_id, run);
  }

  /**
   * The fleet a session runs on here, if it runs here: canceling through it aborts the calls in
   * flight at once instead of at their next heartbeat.
   */
  runningFleet(sessionId: string): Fleet | undefined {
    return this.isRunning(sessionId) ? this.runs.get(sessionId)?.fleet : undefined;
  }

  view(sessionId: string): SessionRunView | undefined {
    const run = this.runs.get(sessionId);
    if (!run) return undefined;
    const outcome = run.outcome;
    return {
      running: run.endedAtMs === undefined,
      started: new Date(run.startedAtMs).toISOString(),
      ended: run.endedAtMs === undefined ? null : new Date(run.endedAtMs).toISOString(),
      outcome: outcome ? { status: outcome.jobStatus, stopped_because: outcome.stoppedBecause ?? null, summary: outcome.summary, log: outcome.logPath } : null,
      error: run.error ? { code: run.error.code, message: run.error.code === 'internal' ? 'The run failed unexpectedly; the MCP server log (stderr) has the details.' : run.error.message } : null,
      recent_lines: [...run.lines],
    };
  }

  /** Waits until the run ends or `timeoutMs` passes; true when it ended (or never ran here). */
  async wait(sessionId: string, timeoutMs: number): Promise<boolean> {
    const run = this.runs.get(sessionId);
    if (!run || run.endedAtMs !== undefined) return true;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    try {
      return await Promise.race([run.done.then(() => true), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Asks every run to stop, as Ctrl-C does: the first time, no new calls and calls in flight finish
   * within the grace period; the second time, calls in flight are aborted and given back. Either
   * way the sessions stay resumable.
   */
  interruptAll(): void {
    for (const run of this.runs.values()) {
      if (run.endedAtMs === undefined) for (const listener of run.interruptListeners) listener('SIGTERM');
    }
  }

  /** Interrupts every run once and resolves when all have stopped. */
  async stopAll(): Promise<void> {
    const active = [...this.runs.values()].filter((run) => run.endedAtMs === undefined);
    this.interruptAll();
    await Promise.all(active.map((run) => run.done));
  }
}

/**
 * What a person watching a session sees. In a terminal: a live block (cli-progress) with a bar, the
 * counts, rate, ETA and cost, the calls in flight with their attempt, and the latest completions;
 * notable lines (failures, notes) scroll above it. Elsewhere (CI logs, pipes, `--json`): plain
 * lines, one per finished call, and a status line now and then.
 */
import { MultiBar, type SingleBar } from 'cli-progress';
import type { CliWritable } from '../cli-context.js';

export interface ProgressCounts {
  total: number;
  completed: number;
  failed: number;
  blocked: number;
  running: number;
  /** Not started yet (including those waiting to retry). */
  pending: number;
}

export interface InFlightCall {
  /** e.g. `0007 summer/c1 × hero`. */
  label: string;
  attempt: number;
  /** 0..1 when the provider reports progress. */
  fraction: number | undefined;
}

export interface ProgressSnapshot {
  counts: ProgressCounts;
  ratePerMinute: number;
  /** The provider's learned request pace, e.g. "rate 118/min, learned" (`…_RPM=auto`); undefined for a fixed rate. */
  learnedRate?: string | undefined;
  etaSeconds: number | undefined;
  spentUsd: number;
  inFlight: readonly InFlightCall[];
  /** Latest completions, newest first. */
  recent: readonly string[];
}

export interface ProgressDisplay {
  update(snapshot: ProgressSnapshot): void;
  /** A line to keep (a completion in plain mode, a failure, a note). */
  line(text: string): void;
  /** A completion: its own line in plain mode, the "latest" list in the live view. */
  completion(text: string): void;
  stop(): void;
}

/** Calls listed in the live view; more are summarised as "+N more". */
const inFlightLines = 4;
const recentLines = 3;
/** Plain mode prints a status line at most this often when nothing else was printed. */
const plainStatusEveryMs = 15_000;

/** A live view on a terminal, plain lines otherwise. */
export function createProgressDisplay(stream: CliWritable, options: { live: boolean; now?: () => number }): ProgressDisplay {
  return options.live && stream.isTTY === true ? new LiveDisplay(stream) : new PlainDisplay(stream, options.now ?? Date.now);
}

/** `42s`, `3m 05s`, `1h 02m`. */
export function formatDuration(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  if (total < 60) return `${total}s`;
  if (total < 3600) return `${Math.floor(total / 60)}m ${String(total % 60).padStart(2, '0')}s`;
  return `${Math.floor(total / 3600)}h ${String(Math.floor((total % 3600) / 60)).padStart(2, '0')}m`;
}

/** `$0.00`, `$12.40`, `$0.0390` (small amounts keep their digits). */
export function formatUsd(amount: number): string {
  return amount > 0 && amount < 0.01 ? `$${amount.toFixed(4)}` : `$${amount.toFixed(2)}`;
}

/** `12/40 done · 2 running · 1 failed · 0 blocked · 25 pending`. */
export function formatCounts(counts: ProgressCounts): string {
  const parts = [`${counts.completed}/${counts.total} done`, `${counts.running} running`, `${counts.failed} failed`];
  if (counts.blocked > 0) parts.push(`${counts.blocked} blocked`);
  parts.push(`${counts.pending} pending`);
  return parts.join(' · ');
}

/** Counts, rate, ETA and cost on one line. */
export function formatStatusLine(snapshot: ProgressSnapshot): string {
  const eta = snapshot.etaSeconds === undefined ? 'ETA –' : `ETA ${formatDuration(snapshot.etaSeconds)}`;
  const learned = snapshot.learnedRate === undefined ? '' : ` (${snapshot.learnedRate})`;
  return `${formatCounts(snapshot.counts)} · ${snapshot.ratePerMinute.toFixed(1)}/min${learned} · ${eta} · ${formatUsd(snapshot.spentUsd)} spent`;
}

/** `0007 summer/c1 × hero (attempt 2, 50%)`. */
export function formatInFlight(call: InFlightCall): string {
  const details = [`attempt ${call.attempt}`];
  if (call.fraction !== undefined) details.push(`${Math.round(call.fraction * 100)}%`);
  return `${call.label} (${details.join(', ')})`;
}

class PlainDisplay implements ProgressDisplay {
  private lastPrintAtMs: number;
  private lastStatus = '';

  constructor(
    private readonly stream: CliWritable,
    private readonly now: () => number,
  ) {
    this.lastPrintAtMs = now();
  }

  update(snapshot: ProgressSnapshot): void {
    const status = formatStatusLine(snapshot);
    if (this.now() - this.lastPrintAtMs < plainStatusEveryMs || status === this.lastStatus) return;
    this.lastStatus = status;
    this.line(`progress: ${status}`);
  }

  line(text: string): void {
    this.stream.write(`${text}\n`);
    this.lastPrintAtMs = this.now();
  }

  completion(text: string): void {
    this.line(text);
  }

  stop(): void {
    // Nothing to tear down.
  }
}

class LiveDisplay implements ProgressDisplay {
  private readonly bars: MultiBar;
  private readonly main: SingleBar;
  private readonly lines: SingleBar[];
  private readonly recent: string[] = [];
  private stopped = false;

  constructor(stream: CliWritable) {
    this.bars = new MultiBar({
      // cli-progress writes escape codes through readline, which needs only `write`.
      stream: stream as unknown as NodeJS.WritableStream,
      format: '{text}',
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      linewrap: false,
      fps: 5,
      barsize: 28,
      barCompleteChar: '█',
      barIncompleteChar: '░',
      forceRedraw: true,
    });
    this.main = this.bars.create(1, 0, { stats: 'starting…' }, { format: ' {bar} {percentage}% │ {stats}' });
    this.lines = Array.from({ length: inFlightLines + recentLines + 1 }, () => this.bars.create(1, 0, { text: '' }, { format: '{text}' }));
  }

  update(snapshot: ProgressSnapshot): void {
    if (this.stopped) return;
    const { counts } = snapshot;
    const finished = counts.completed + counts.failed + counts.blocked;
    this.main.setTotal(Math.max(1, counts.total));
    this.main.update(finished, { stats: formatStatusLine(snapshot) });
    const texts: string[] = [];
    const shown = snapshot.inFlight.slice(0, inFlightLines);
    texts.push(shown.length === 0 ? '   in flight: none' : `   in flight (${snapshot.inFlight.length}):`);
    for (const call of shown) texts.push(`     ↻ ${formatInFlight(call)}`);
    if (snapshot.inFlight.length > inFlightLines) texts[texts.length - 1] += `  +${snapshot.inFlight.length - inFlightLines} more`;
    while (texts.length < inFlightLines + 1) texts.push('');
    for (const text of this.recent.slice(0, recentLines)) texts.push(`   ✓ ${text}`);
    this.lines.forEach((bar, index) => bar.update(0, { text: texts[index] ?? '' }));
  }

  line(text: string): void {
    if (this.stopped) return;
    this.bars.log(`${text}\n`);
  }

  completion(text: string): void {
    this.recent.unshift(text);
    this.recent.length = Math.min(this.recent.length, recentLines);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.bars.stop();
  }
}

/**
 * A deterministic simulation of the learned-rate controller against a hidden quota, in simulated
 * time: `processes` workers share ONE persisted controller state (stored as JSON text, as the store
 * will, and read-modify-written at every event), each with an endless backlog. A request starts
 * when `nextStartAtMs` allows, reaches the endpoint after a network delay, is decided by the hidden
 * quota at arrival, and either comes back 429 at once (the body parsed by `core/quota-failure.ts`)
 * or succeeds after a seeded random latency.
 */
import { parseQuotaFailure } from '../../../src/core/quota-failure.js';
import {
  createLearnedRate,
  nextStartAtMs,
  onRateLimited,
  onRequestStarted,
  onRequestSucceeded,
  type LearnedRateSettings,
  type LearnedRateState,
} from '../../../src/engine/learned-rate/learned-rate.js';
import { HiddenQuotaPolicy, type HiddenQuotaArrival, type HiddenQuotaLimits } from '../../fakes/gemini/hidden-quota-policy.js';

export interface SimulationOptions {
  /** Seed of the latency and network-delay generator. */
  seed: number;
  /** When the workers start, simulated epoch ms (a later run can continue an earlier run's state). Default 0. */
  startAtMs?: number;
  /** How long the workers start requests, ms. */
  durationMs: number;
  /** Workers sharing the one persisted state. Default 1. */
  processes?: number;
  /** The hidden quota at the start. */
  limits: HiddenQuotaLimits;
  /** Mid-run changes of the hidden quota. */
  limitChanges?: Array<{ atMs: number; limits: HiddenQuotaLimits }>;
  /** Accepted calls take a uniform time in [minMs, maxMs]. Default 4–12 s (Gemini image calls). */
  latencyMs?: { minMs: number; maxMs: number };
  /** One-way network delay, uniform in [minMs, maxMs]. Default 40–70 ms. */
  networkMs?: { minMs: number; maxMs: number };
  settings?: Partial<LearnedRateSettings>;
  /** Images each request returns. Default 1. */
  imagesPerRequest?: number;
  /** Input tokens each request sends. Default 300. */
  inputTokensPerRequest?: number;
  /** Calls one worker may have open at once. Default 400. */
  maxInFlightPerProcess?: number;
  /** The state the run starts from (e.g. learned by an earlier run), as JSON text. */
  initialStateJson?: string;
  /** A waiting worker wakes up to this much after its allowed start (timer and poll latency), ms. Default 20. */
  wakeJitterMs?: number;
}

export interface SimulationResult {
  /** Every start: when and by which worker. */
  starts: Array<{ atMs: number; process: number }>;
  /** Every decision of the hidden quota (client = worker index). */
  arrivals: readonly HiddenQuotaArrival[];
  /** Announced retry delays as the client saw them: from the 429's reply to the end of its delay. */
  retryWindows: Array<{ fromMs: number; untilMs: number }>;
  /** The shared state at the end, as JSON text. */
  finalStateJson: string;
}

export function simulate(options: SimulationOptions): SimulationResult {
  const processes = options.processes ?? 1;
  const latency = options.latencyMs ?? { minMs: 4000, maxMs: 12_000 };
  const network = options.networkMs ?? { minMs: 40, maxMs: 70 };
  const images = options.imagesPerRequest ?? 1;
  const inputTokens = options.inputTokensPerRequest ?? 300;
  const maxInFlight = options.maxInFlightPerProcess ?? 400;
  const wakeJitterMs = options.wakeJitterMs ?? 20;
  const startAtMs = options.startAtMs ?? 0;
  const endAtMs = startAtMs + options.durationMs;
  const random = seededRandom(options.seed);
  const between = (range: { minMs: number; maxMs: number }): number => Math.round(range.minMs + random() * (range.maxMs - range.minMs));
  const policy = new HiddenQuotaPolicy(options.limits);

  // The store: one row of JSON text every worker reads and writes.
  let storedJson = options.initialStateJson ?? JSON.stringify(createLearnedRate(options.settings));
  const transact = (change: (state: LearnedRateState) => LearnedRateState): LearnedRateState => {
    const next = change(JSON.parse(storedJson) as LearnedRateState);
    storedJson = JSON.stringify(next);
    return next;
  };

  const events = new EventQueue();
  const starts: SimulationResult['starts'] = [];
  const retryWindows: SimulationResult['retryWindows'] = [];
  const inFlight = Array.from({ length: processes }, () => 0);
  const wakeAtMs = Array.from({ length: processes }, () => Number.POSITIVE_INFINITY);

  const scheduleWake = (process: number, atMs: number): void => {
    if (atMs >= wakeAtMs[process]!) return;
    wakeAtMs[process] = atMs;
    events.push(atMs, () => wake(process, atMs));
  };

  const wake = (process: number, nowMs: number): void => {
    if (wakeAtMs[process] !== nowMs) return; // superseded by an earlier wake
    wakeAtMs[process] = Number.POSITIVE_INFINITY;
    if (nowMs >= endAtMs || inFlight[process]! >= maxInFlight) return; // a completion wakes it again
    const state = JSON.parse(storedJson) as LearnedRateState;
    const allowedAtMs = nextStartAtMs(state, nowMs);
    if (allowedAtMs > nowMs) return scheduleWake(process, allowedAtMs + Math.round(random() * wakeJitterMs));
    const started = transact((current) => onRequestStarted(current, nowMs, { images, inputTokens }));
    starts.push({ atMs: nowMs, process });
    inFlight[process]! += 1;
    const arrivalMs = nowMs + between(network);
    events.push(arrivalMs, () => arrive(process, nowMs, arrivalMs));
    scheduleWake(process, nextStartAtMs(started, nowMs) + Math.round(random() * wakeJitterMs));
  };

  const arrive = (process: number, startedAtMs: number, arrivalMs: number): void => {
    const decision = policy.decide(arrivalMs, { client: String(process), images, inputTokens });
    if (decision.accepted) {
      const doneMs = arrivalMs + between(latency) + between(network);
      events.push(doneMs, () => {
        inFlight[process]! -= 1;
        transact((state) => onRequestSucceeded(state, doneMs, { images, inputTokens }));
        scheduleWake(process, doneMs);
      });
      return;
    }
    const replyMs = arrivalMs + between(network);
    events.push(replyMs, () => {
      inFlight[process]! -= 1;
      const failure = parseQuotaFailure(JSON.stringify(decision.body));
      if (failure.retryAfterMs !== undefined) retryWindows.push({ fromMs: replyMs, untilMs: replyMs + failure.retryAfterMs });
      transact((state) => onRateLimited(state, { nowMs: replyMs, startedAtMs, usage: { images, inputTokens }, retryAfterMs: failure.retryAfterMs, quotaDimension: failure.dimension }));
      scheduleWake(process, replyMs);
    });
  };

  for (const change of options.limitChanges ?? []) events.push(change.atMs, () => policy.setLimits(change.limits));
  for (let process = 0; process < processes; process += 1) scheduleWake(process, startAtMs + process);
  for (let event = events.pop(); event; event = events.pop()) event();

  return { starts, arrivals: policy.arrivals, retryWindows, finalStateJson: storedJson };
}

/** Accepted and refused arrivals in [fromMs, toMs), and accepted ones as a share of `capacityPerMinute` over that span. */
export function measure(result: SimulationResult, fromMs: number, toMs: number, capacityPerMinute: number): { accepted: number; refused: number; utilisation: number; refusedShare: number } {
  let accepted = 0;
  let refused = 0;
  for (const arrival of result.arrivals) {
    if (arrival.arrivalMs < fromMs || arrival.arrivalMs >= toMs) continue;
    if (arrival.status === 200) accepted += 1;
    else refused += 1;
  }
  return { accepted, refused, utilisation: accepted / ((capacityPerMinute * (toMs - fromMs)) / 60_000), refusedShare: refused / Math.max(1, accepted + refused) };
}

/** Starts made inside an announced retry delay (strictly after the 429 was received, before the delay ended). */
export function startsInsideRetryDelays(result: SimulationResult): number {
  return result.starts.filter((start) => result.retryWindows.some((window) => start.atMs > window.fromMs && start.atMs < window.untilMs)).length;
}

/** The most starts in any window (t − 60 s, t]. */
export function mostStartsInAnyMinute(result: SimulationResult): number {
  let most = 0;
  let first = 0;
  for (let last = 0; last < result.starts.length; last += 1) {
    while (result.starts[first]!.atMs <= result.starts[last]!.atMs - 60_000) first += 1;
    most = Math.max(most, last - first + 1);
  }
  return most;
}

/** mulberry32: a small seeded generator, so every run injects the same delays. */
function seededRandom(seed: number): () => number {
  let value = seed >>> 0;
  return () => {
    value = (value + 0x6d2b79f5) >>> 0;
    let mixed = value;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Events by time, then by insertion order (a binary heap). */
class EventQueue {
  private readonly heap: Array<{ atMs: number; order: number; run: () => void }> = [];
  private nextOrder = 0;

  push(atMs: number, run: () => void): void {
    this.heap.push({ atMs, order: this.nextOrder++, run });
    let index = this.heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!this.before(index, parent)) break;
      [this.heap[index], this.heap[parent]] = [this.heap[parent]!, this.heap[index]!];
      index = parent;
    }
  }

  pop(): (() => void) | undefined {
    const top = this.heap[0];
    const last = this.heap.pop();
    if (!top || !last) return undefined;
    if (this.heap.length > 0) {
      this.heap[0] = last;
      let index = 0;
      for (;;) {
        const left = index * 2 + 1;
        const right = left + 1;
        let smallest = index;
        if (left < this.heap.length && this.before(left, smallest)) smallest = left;
        if (right < this.heap.length && this.before(right, smallest)) smallest = right;
        if (smallest === index) break;
        [this.heap[index], this.heap[smallest]] = [this.heap[smallest]!, this.heap[index]!];
        index = smallest;
      }
    }
    return top.run;
  }

  private before(left: number, right: number): boolean {
    const a = this.heap[left]!;
    const b = this.heap[right]!;
    return a.atMs < b.atMs || (a.atMs === b.atMs && a.order < b.order);
  }
}

export interface UsersLoopSimulationOptions {
  seed: number;
  durationMs: number;
  limits: HiddenQuotaLimits;
  /** As in `simulate`. */
  latencyMs?: { minMs: number; maxMs: number };
  networkMs?: { minMs: number; maxMs: number };
}

/**
 * The users' loop of issue 18 (`bench/support/users-loop-client.ts`) against its own hidden quota,
 * in simulated time: three loops, each sending a call, pausing 1 s after an answer, sleeping a flat
 * 30 s after a 429.
 */
export function simulateUsersLoop(options: UsersLoopSimulationOptions): Pick<SimulationResult, 'arrivals'> {
  const latency = options.latencyMs ?? { minMs: 4000, maxMs: 12_000 };
  const network = options.networkMs ?? { minMs: 40, maxMs: 70 };
  const random = seededRandom(options.seed);
  const between = (range: { minMs: number; maxMs: number }): number => Math.round(range.minMs + random() * (range.maxMs - range.minMs));
  const policy = new HiddenQuotaPolicy(options.limits);
  const events = new EventQueue();
  const send = (loop: number, nowMs: number): void => {
    if (nowMs >= options.durationMs) return;
    const arrivalMs = nowMs + between(network);
    events.push(arrivalMs, () => {
      const decision = policy.decide(arrivalMs, { client: `loop-${loop}` });
      const answeredMs = arrivalMs + (decision.accepted ? between(latency) : 0) + between(network);
      const nextMs = answeredMs + (decision.accepted ? 1000 : 30_000);
      events.push(nextMs, () => send(loop, nextMs));
    });
  };
  for (let loop = 0; loop < 3; loop += 1) send(loop, loop);
  for (let event = events.pop(); event; event = events.pop()) event();
  return { arrivals: policy.arrivals };
}

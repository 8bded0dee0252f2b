/**
 * ComfyUI's websocket (`/ws?clientId=`), read for the prompts this process queued: `progress`
 * ({value, max, prompt_id}) becomes task progress, and `execution_success`, `execution_error`,
 * `execution_interrupted` or `executing` with `node: null` say a prompt finished, so a waiting poll
 * returns at once instead of on its next timer. ComfyUI sends these only to the client that queued
 * the prompt, so after a restart the prompts are followed through `/history` alone. The socket is
 * opened when a prompt is watched and closed when none is, so it never keeps a process alive.
 * Everything here is best effort: results are always read from `/history`.
 */
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import type { Logger } from '../../core/logger.js';

export type PromptEnd = 'success' | 'error' | 'interrupted';

interface PromptWatch {
  /** Progress of the prompt's current sampler, 0..1; 1 once it ended. */
  fraction: number;
  end: PromptEnd | undefined;
  onChange: (() => void) | undefined;
}

const openTimeoutMs = 3_000;
const unclaimedEndLimit = 1_000;

/** How a message says a prompt ended, if it does. */
function endOf(type: unknown, data: Record<string, unknown>): PromptEnd | undefined {
  if (type === 'execution_success' || (type === 'executing' && data.node === null)) return 'success';
  if (type === 'execution_error') return 'error';
  if (type === 'execution_interrupted') return 'interrupted';
  return undefined;
}

export class ComfyuiEventStream {
  /** The `client_id` sent with every prompt, so ComfyUI sends their events to this socket. */
  readonly clientId = randomUUID();
  private socket: WebSocket | undefined;
  private opening: Promise<boolean> | undefined;
  private readonly watches = new Map<string, PromptWatch>();
  private readonly waiters = new Set<() => void>();
  /** Submits between `open` and their `watch` calls: the socket must stay open for them. */
  private submitting = 0;
  /** Ends of prompts not (yet) watched: a fast prompt can end before `POST /prompt` has answered with its id. */
  private readonly unclaimedEnds = new Map<string, PromptEnd>();

  constructor(
    private readonly baseUrl: string,
    private readonly logger: Logger,
  ) {}

  /** Keeps the socket open for a submit until `endSubmit`, and opens it; false when it cannot be opened. */
  beginSubmit(): Promise<boolean> {
    this.submitting += 1;
    return this.open();
  }

  /** The submit has watched its prompts (or failed): the socket may close when nothing is followed. */
  endSubmit(): void {
    this.submitting = Math.max(0, this.submitting - 1);
    this.closeIfIdle();
  }

  /** Opens the socket if needed; false when it cannot be opened (events are then simply missed). */
  open(): Promise<boolean> {
    if (this.socket?.readyState === WebSocket.OPEN) return Promise.resolve(true);
    this.opening ??= new Promise<boolean>((resolve) => {
      const url = new URL(this.baseUrl.replace(/\/+$/, '') + '/ws');
      url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
      url.searchParams.set('clientId', this.clientId);
      const socket = new WebSocket(url, { handshakeTimeout: openTimeoutMs });
      socket.on('open', () => {
        this.socket = socket;
        resolve(true);
      });
      socket.on('message', (data, isBinary) => {
        // Binary frames are preview images.
        if (!isBinary) this.receive(Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]).toString('utf8'));
      });
      socket.on('error', (error) => {
        this.logger.debug({ error: error.message }, 'ComfyUI websocket error; results are read from /history.');
        resolve(false);
      });
      socket.on('close', () => {
        if (this.socket === socket) this.socket = undefined;
        resolve(false);
        this.wakeWaiters();
      });
    }).finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  /** Follows a prompt; `onChange` is called when its progress changes or it ends. */
  watch(promptId: string, onChange?: () => void): void {
    const end = this.unclaimedEnds.get(promptId);
    this.unclaimedEnds.delete(promptId);
    this.watches.set(promptId, { fraction: end === undefined ? 0 : 1, end, onChange });
  }

  /** Stops following the prompts; closes the socket when none is left. */
  unwatch(promptIds: readonly string[]): void {
    for (const promptId of promptIds) this.watches.delete(promptId);
    this.closeIfIdle();
  }

  private closeIfIdle(): void {
    if (this.watches.size === 0 && this.submitting === 0) this.close();
  }

  /** Whether every prompt is followed here over an open socket (so waiting for its events makes sense). */
  follows(promptIds: readonly string[]): boolean {
    return this.socket?.readyState === WebSocket.OPEN && promptIds.every((promptId) => this.watches.has(promptId));
  }

  /** Progress of the prompts together (each ended prompt counts 1), or undefined when none is followed. */
  fractionOf(promptIds: readonly string[]): number | undefined {
    const watches = promptIds.map((promptId) => this.watches.get(promptId));
    if (watches.every((watch) => watch === undefined)) return undefined;
    return watches.reduce((total, watch) => total + (watch?.fraction ?? 0), 0) / promptIds.length;
  }

  /** Resolves when every prompt ended (as far as the socket says), the socket closed, `timeoutMs` passed or `signal` aborted. */
  async waitForEnd(promptIds: readonly string[], timeoutMs: number, signal: AbortSignal): Promise<void> {
    const ended = () => promptIds.every((promptId) => this.watches.get(promptId)?.end !== undefined);
    if (ended() || signal.aborted) return;
    await new Promise<void>((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', finish);
        this.waiters.delete(check);
        resolve();
      };
      const check = () => {
        if (ended() || this.socket === undefined) finish();
      };
      const timer = setTimeout(finish, timeoutMs);
      signal.addEventListener('abort', finish, { once: true });
      this.waiters.add(check);
    });
  }

  close(): void {
    const socket = this.socket;
    this.socket = undefined;
    socket?.close();
    this.wakeWaiters();
  }

  private receive(text: string): void {
    let message: { type?: unknown; data?: unknown };
    try {
      message = JSON.parse(text) as { type?: unknown; data?: unknown };
    } catch {
      return;
    }
    const data = (message.data ?? {}) as Record<string, unknown>;
    const promptId = typeof data.prompt_id === 'string' ? data.prompt_id : undefined;
    if (promptId === undefined) return;
    const watch = this.watches.get(promptId);
    if (!watch) {
      const end = endOf(message.type, data);
      if (end !== undefined && !this.unclaimedEnds.has(promptId)) {
        this.unclaimedEnds.set(promptId, end);
        // Bounded: ends of other clients' prompts are never claimed.
        if (this.unclaimedEnds.size > unclaimedEndLimit) this.unclaimedEnds.delete(this.unclaimedEnds.keys().next().value ?? promptId);
      }
      return;
    }
    const end = endOf(message.type, data);
    if (end !== undefined) {
      this.end(watch, end);
    } else if (message.type === 'progress') {
      const value = Number(data.value);
      const max = Number(data.max);
      if (!Number.isFinite(value) || !Number.isFinite(max) || max <= 0) return;
      watch.fraction = Math.min(1, Math.max(0, value / max));
    } else {
      return;
    }
    watch.onChange?.();
    this.wakeWaiters();
  }

  private end(watch: PromptWatch, end: PromptEnd): void {
    // The first end wins: `executing` with node null follows an error too.
    watch.end ??= end;
    watch.fraction = 1;
  }

  private wakeWaiters(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

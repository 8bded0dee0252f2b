/**
 * A fixed set of read buffers handed out and given back, so streaming gigabytes allocates nothing
 * per read: each fresh buffer is memory the garbage collector must find and free, and in the ZIP
 * download's CPU profile collecting them was the largest cost after waiting (docs/benchmarks.md).
 * A buffer is given back once the bytes in it have left (the socket's write callback), so the
 * pool also bounds the memory a download holds: `count × bytes`, whatever the client's speed.
 *
 * With `reuse` false every `take` allocates (for consumers that keep the chunks, like a web
 * stream) and `give` forgets.
 */
export class ReadBufferPool {
  private readonly free: Buffer[] = [];
  private readonly waiting: Array<{ resolve: (buffer: Buffer) => void; reject: (error: Error) => void }> = [];
  private closedReason: Error | undefined;

  /**
   * @param count buffers in the pool
   * @param bytes size of each buffer in bytes
   * @param reuse whether given-back buffers are handed out again
   */
  constructor(
    count: number,
    readonly bytes: number,
    private readonly reuse: boolean,
  ) {
    if (reuse) for (let index = 0; index < count; index += 1) this.free.push(Buffer.allocUnsafeSlow(bytes));
  }

  /**
   * A buffer of `bytes` bytes once one is free (without reuse: a fresh one of `wantedBytes`, at
   * most `bytes`); rejects once the pool is closed.
   */
  take(wantedBytes = this.bytes): Promise<Buffer> {
    if (this.closedReason) return Promise.reject(this.closedReason);
    if (!this.reuse) return Promise.resolve(Buffer.allocUnsafe(Math.min(wantedBytes, this.bytes)));
    const buffer = this.free.pop();
    if (buffer) return Promise.resolve(buffer);
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  /** Gives a buffer back (its bytes have been sent). */
  give(buffer: Buffer): void {
    if (!this.reuse || this.closedReason) return;
    const waiter = this.waiting.shift();
    if (waiter) waiter.resolve(buffer);
    else this.free.push(buffer);
  }

  /** Fails every waiting and later `take` with `reason` (the download was aborted). Idempotent. */
  close(reason: Error): void {
    if (this.closedReason) return;
    this.closedReason = reason;
    for (const waiter of this.waiting.splice(0)) waiter.reject(reason);
    this.free.length = 0;
  }
}

/**
 * A fixed set of read buffers handed out and given back, so streaming gigabytes allocates nothing
 * per read: each fresh buffer is memory the garbage collector must find and free, and in the ZIP
 * download's CPU profile collecting them was the largest cost after waiting (docs/benchmarks.md).
 * A buffer is given back once the bytes in it have left (the socket's write callback), so the
 * pool also bounds the memory a download holds: `count × bytes`, whatever the client's speed.
 *
 * With `reuse` false every `take` allocates (for consumers that keep the chunks, like a web
 * stream) and `give` forgets.
 *
 * A buffer may keep `headroomBytes` free in front of its `bytes`: the ZIP writer reads a file's
 * bytes after that room and writes the records that precede them (the last entry's data
 * descriptor, this entry's local header) into it, so the records and the file leave in one socket
 * write instead of a `writev` of three pieces or a write of their own (docs/decisions/0051).
 */
export class ReadBufferPool {
  private readonly free: Buffer[] = [];
  private readonly waiting: Array<{ resolve: (buffer: Buffer) => void; reject: (error: Error) => void }> = [];
  private closedReason: Error | undefined;

  /**
   * @param count buffers in the pool
   * @param bytes bytes each buffer holds after its headroom
   * @param reuse whether given-back buffers are handed out again
   * @param headroomBytes bytes free in front of each buffer's `bytes`; default 0
   */
  constructor(
    count: number,
    readonly bytes: number,
    private readonly reuse: boolean,
    readonly headroomBytes = 0,
  ) {
    if (reuse) for (let index = 0; index < count; index += 1) this.free.push(Buffer.allocUnsafeSlow(headroomBytes + bytes));
  }

  /**
   * A buffer of `headroomBytes + bytes` bytes once one is free (without reuse: a fresh one of
   * `headroomBytes` + `wantedBytes`, at most `bytes`); rejects once the pool is closed.
   */
  take(wantedBytes = this.bytes): Promise<Buffer> {
    if (this.closedReason) return Promise.reject(this.closedReason);
    if (!this.reuse) return Promise.resolve(Buffer.allocUnsafe(this.headroomBytes + Math.min(wantedBytes, this.bytes)));
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

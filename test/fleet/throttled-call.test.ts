import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { throttledCall } from '../../src/fleet/throttled-call.js';

describe('throttledCall', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('calls at once, folds the calls of the interval into one at its end, then calls at once again', () => {
    const call = vi.fn();
    const wake = throttledCall(call, 50);
    wake();
    expect(call).toHaveBeenCalledTimes(1);
    for (let index = 0; index < 10; index += 1) wake();
    expect(call).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(50);
    expect(call).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(500);
    expect(call).toHaveBeenCalledTimes(2);
    wake();
    expect(call).toHaveBeenCalledTimes(3);
  });

  it('drops a pending call when cancelled', () => {
    const call = vi.fn();
    const wake = throttledCall(call, 50);
    wake();
    wake();
    wake.cancel();
    vi.advanceTimersByTime(100);
    expect(call).toHaveBeenCalledTimes(1);
  });
});

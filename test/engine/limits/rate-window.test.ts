import { describe, expect, it } from 'vitest';
import { isRateWindowFull, rateWindowMarginMs, rateWindowMs, rateWindowSlotFreedAtMs, rateWindowStartMs } from '../../../src/engine/limits/rate-window.js';

describe('the requests-per-minute window', () => {
  it('is a minute plus a 750 ms margin for network delay', () => {
    expect(rateWindowMs).toBe(60_000);
    expect(rateWindowMarginMs).toBe(750);
    expect(rateWindowStartMs(100_000)).toBe(100_000 - 60_750);
  });

  it('says a slot is free once a start has left the window (a start counts while it is after the window start)', () => {
    const startedAtMs = 10_000;
    const freedAtMs = rateWindowSlotFreedAtMs(startedAtMs);
    expect(startedAtMs > rateWindowStartMs(startedAtMs + 60_749)).toBe(true);
    expect(startedAtMs > rateWindowStartMs(freedAtMs)).toBe(false);
    expect(freedAtMs).toBe(startedAtMs + 60_751);
  });

  it('is full at N starts under an N-per-minute limit; 0 means unlimited', () => {
    expect(isRateWindowFull(4, 5)).toBe(false);
    expect(isRateWindowFull(5, 5)).toBe(true);
    expect(isRateWindowFull(1_000, 0)).toBe(false);
  });
});

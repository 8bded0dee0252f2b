import { describe, expect, it } from 'vitest';
import { createProgressDisplay, formatCounts, formatDuration, formatInFlight, formatStatusLine, formatUsd, type ProgressSnapshot } from '../../src/cli/session/progress-display.js';

const snapshot: ProgressSnapshot = {
  counts: { total: 40, completed: 12, failed: 1, blocked: 0, running: 2, pending: 25 },
  ratePerMinute: 24,
  etaSeconds: 70,
  spentUsd: 0.468,
  inFlight: [
    { label: '0013 c1 × hero', attempt: 1, fraction: 0.5 },
    { label: '0014 c2 × hero', attempt: 2, fraction: undefined },
  ],
  recent: [],
};

describe('progress formatting', () => {
  it('formats durations, money, counts and in-flight calls', () => {
    expect([formatDuration(42), formatDuration(185), formatDuration(3720)]).toEqual(['42s', '3m 05s', '1h 02m']);
    expect([formatUsd(0), formatUsd(12.4), formatUsd(0.0039)]).toEqual(['$0.00', '$12.40', '$0.0039']);
    expect(formatCounts(snapshot.counts)).toBe('12/40 done · 2 running · 1 failed · 25 pending');
    expect(formatStatusLine(snapshot)).toBe('12/40 done · 2 running · 1 failed · 25 pending · 24.0/min · ETA 1m 10s · $0.47 spent');
    expect(formatInFlight(snapshot.inFlight[0]!)).toBe('0013 c1 × hero (attempt 1, 50%)');
    expect(formatInFlight(snapshot.inFlight[1]!)).toBe('0014 c2 × hero (attempt 2)');
  });
});

describe('createProgressDisplay', () => {
  it('writes plain lines when the output is not a terminal, with a status line now and then', () => {
    let written = '';
    let now = 0;
    const display = createProgressDisplay({ write: (text: string) => (written += text), isTTY: false }, { live: true, now: () => now });
    display.completion('0001 c1 × hero → c1/hero/0001-hero-1K.png');
    display.line('✗ 0002 c1 × detail failed: boom');
    display.update(snapshot);
    expect(written).toBe('0001 c1 × hero → c1/hero/0001-hero-1K.png\n✗ 0002 c1 × detail failed: boom\n');
    now = 20_000;
    display.update(snapshot);
    expect(written).toContain(`progress: ${formatStatusLine(snapshot)}\n`);
    display.stop();
  });

  it('draws a live block on a terminal: bar, counts, calls in flight with their attempt, latest completions', async () => {
    let written = '';
    const display = createProgressDisplay({ write: (text: string) => (written += text), isTTY: true, columns: 160 }, { live: true });
    display.completion('0012 c1 × detail → c1/detail/0012-detail-1K.png');
    display.update(snapshot);
    display.line('↻ 0014 c2 × hero: 503 overloaded (trying again in 4s)');
    await new Promise((resolve) => setTimeout(resolve, 300));
    display.stop();
    // eslint-disable-next-line no-control-regex -- strip the terminal's escape codes
    const text = written.replace(/\u001b\[[0-9;?]*[A-Za-z]|\u001b[78]/g, '');
    expect(text).toContain('32%');
    expect(text).toContain(formatStatusLine(snapshot));
    expect(text).toContain('in flight (2):');
    expect(text).toContain('↻ 0013 c1 × hero (attempt 1, 50%)');
    expect(text).toContain('↻ 0014 c2 × hero (attempt 2)');
    expect(text).toContain('✓ 0012 c1 × detail → c1/detail/0012-detail-1K.png');
    expect(text).toContain('503 overloaded');
  });
});

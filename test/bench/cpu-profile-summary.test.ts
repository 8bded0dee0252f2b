/**
 * The gallery benchmark's reading of a Chromium CPU profile: each sample's time is the gap to the
 * next, idle / program / GC are split from script, and functions rank by self time (fast: no
 * browser).
 */
import { describe, expect, it } from 'vitest';
import { summariseCpuProfile, type CpuProfile } from '../../bench/support/cpu-profile-summary.js';

const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber, columnNumber: 4 });

describe('summariseCpuProfile', () => {
  it('splits sampled time into idle, program, GC and script and ranks functions by self time', () => {
    const profile: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame('(root)') },
        { id: 2, callFrame: frame('(idle)') },
        { id: 3, callFrame: frame('(program)') },
        { id: 4, callFrame: frame('(garbage collector)') },
        { id: 5, callFrame: frame('render', 'http://127.0.0.1:3000/_next/static/chunks/app.js', 9) },
        { id: 6, callFrame: frame('', 'http://127.0.0.1:3000/_next/static/chunks/react.js', 0) },
      ],
      // Deltas in µs; a sample's time is the next sample's delta, so the last sample counts nothing.
      samples: [2, 5, 5, 6, 3, 4, 2, 5],
      timeDeltas: [0, 1000, 3000, 2000, 500, 4000, 250, 7000, 999_999],
    };
    const summary = summariseCpuProfile(profile);
    expect(summary.idleMs).toBeCloseTo(1 + 7, 6);
    expect(summary.programMs).toBeCloseTo(4, 6);
    expect(summary.garbageCollectionMs).toBeCloseTo(0.25, 6);
    expect(summary.scriptMs).toBeCloseTo(3 + 2 + 0.5, 6);
    expect(summary.totalMs).toBeCloseTo(8 + 4 + 0.25 + 5.5, 6);
    expect(summary.busyMs).toBeCloseTo(4 + 0.25 + 5.5, 6);
    expect(summary.topFunctions).toEqual([
      { name: 'render', location: 'app.js:10:5', selfMs: 5, shareOfBusy: 5 / (4 + 0.25 + 5.5) },
      { name: '(anonymous)', location: 'react.js:1:5', selfMs: 0.5, shareOfBusy: 0.5 / (4 + 0.25 + 5.5) },
    ]);
  });
});

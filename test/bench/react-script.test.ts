/**
 * The gallery benchmark finds React's work in a minified profile: the tasks and microtasks entered
 * in React's own script (found by its scheduler's `unstable_scheduleCallback` and `port1.onmessage`)
 * and anything under `flushSync`. Fast: no browser.
 */
import { describe, expect, it } from 'vitest';
import type { CpuProfile } from '../../bench/support/cpu-profile-summary.js';
import { inclusiveMsUnder, sampledMsWhere } from '../../bench/support/cpu-profile-time-under.js';
import { findReactScriptUrl, isReactWork } from '../../bench/support/react-script.js';

const reactUrl = 'http://127.0.0.1:3000/_next/static/chunks/framework.js';
const appUrl = 'http://127.0.0.1:3000/_next/static/chunks/app.js';
const polyfillUrl = 'http://127.0.0.1:3000/_next/static/chunks/polyfills.js';

describe("React's work in a CPU profile", () => {
  it("finds React's script by its scheduler, not a polyfill that also listens on a MessageChannel", () => {
    const scripts = [
      { url: polyfillUrl, source: 'cy=(sy=new by).port2,sy.port1.onmessage=Py' },
      { url: appUrl, source: 'function z(){}' },
      { url: reactUrl, source: 'var O=new MessageChannel,L=O.port2;O.port1.onmessage=z;n.unstable_scheduleCallback=function(e,t){}' },
    ];
    expect(findReactScriptUrl(scripts)).toBe(reactUrl);
    expect(findReactScriptUrl(scripts.slice(0, 2))).toBeUndefined();
  });

  it('counts the samples of tasks entered in React\'s script or under flushSync once each, and not the same work entered elsewhere', () => {
    const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 0, columnNumber: 0 });
    const profile: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame('(root)', ''), children: [2, 3, 6, 8] },
        // React's scheduler task, rendering: 1 + 2 ms.
        { id: 2, callFrame: frame('z', reactUrl), children: [4] },
        { id: 4, callFrame: frame('setAttribute', '') },
        // The virtualiser's scroll handler: its own work is not React's (16 ms), its flushSync is (4 + 8 ms).
        { id: 3, callFrame: frame('', appUrl), children: [5] },
        { id: 5, callFrame: frame('r.flushSync', reactUrl), children: [7] },
        { id: 7, callFrame: frame('cf', reactUrl) },
        // Browser work at the root.
        { id: 6, callFrame: frame('(program)', '') },
        // A function of React's script called from the app's task (not under flushSync): not counted.
        { id: 8, callFrame: frame('', appUrl), children: [9] },
        { id: 9, callFrame: frame('cf', reactUrl) },
      ] as CpuProfile['nodes'],
      samples: [2, 4, 5, 7, 3, 6, 9, 1],
      timeDeltas: [0, 1000, 2000, 4000, 8000, 16000, 32000, 64000, 128000],
    };
    expect(sampledMsWhere(profile, (stack) => isReactWork(stack, reactUrl))).toBeCloseTo(1 + 2 + 4 + 8, 6);
    expect(inclusiveMsUnder(profile, 'flushSync')).toBeCloseTo(4 + 8, 6);
    expect(sampledMsWhere(profile, (stack) => stack[0]?.functionName === '(program)')).toBeCloseTo(32, 6);
  });
});

/**
 * The gallery benchmark finds React's work in a minified profile by its entry points: `flushSync`
 * by name, and the scheduler's `MessageChannel` task by the handler the scheduler assigns to
 * `port1.onmessage`, pinned to its definition (minifiers reuse short names). Fast: no browser.
 */
import { describe, expect, it } from 'vitest';
import type { CpuProfile } from '../../bench/support/cpu-profile-summary.js';
import { inclusiveMsUnderFrames, isNamed } from '../../bench/support/cpu-profile-time-under.js';
import { findSchedulerEntry, isSchedulerEntry } from '../../bench/support/react-scheduler-entry.js';

const chunkUrl = 'http://127.0.0.1:3000/_next/static/chunks/framework.js';
// Shaped like a minified scheduler: another `z` in an earlier module, the handler, then the assignment.
const chunkSource = [
  'var a=1;function z(e){return e+1}',
  'var b;function q(){}function z(){if(b=!1,_){var e=n.unstable_now()}}if("function"==typeof S)i=function(){S(z)};else if("u">typeof MessageChannel){var O=new MessageChannel,L=O.port2;O.port1.onmessage=z,i=function(){L.postMessage(null)}}',
].join('\n');

describe('findSchedulerEntry', () => {
  it('finds the handler assigned to port1.onmessage at its own definition, not at an earlier function of the same name', () => {
    const entry = findSchedulerEntry([
      { url: 'http://127.0.0.1:3000/_next/static/chunks/app.js', source: 'function z(){}' },
      { url: chunkUrl, source: chunkSource },
    ]);
    const secondLine = chunkSource.split('\n')[1]!;
    expect(entry).toEqual({ url: chunkUrl, functionName: 'z', lineNumber: 1, columnNumber: secondLine.indexOf('function z(){') + 'function z'.length });
  });

  it('finds a handler written as `name = function (…)` and says undefined when no script holds a scheduler', () => {
    const source = 'var performWorkUntilDeadline = function () { work(); };\nchannel.port1.onmessage = performWorkUntilDeadline;';
    expect(findSchedulerEntry([{ url: chunkUrl, source }])).toEqual({ url: chunkUrl, functionName: 'performWorkUntilDeadline', lineNumber: 0, columnNumber: source.indexOf('()') });
    expect(findSchedulerEntry([{ url: chunkUrl, source: 'function z(){}' }])).toBeUndefined();
  });

  it('counts the samples under flushSync or the scheduler task once each, and nothing under another function of the same name', () => {
    const entry = findSchedulerEntry([{ url: chunkUrl, source: chunkSource }])!;
    const frame = (functionName: string, lineNumber = 0, columnNumber = 0) => ({ functionName, url: chunkUrl, lineNumber, columnNumber });
    const profile: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame('(root)'), children: [2, 3, 6] },
        { id: 2, callFrame: frame('z', entry.lineNumber, entry.columnNumber), children: [4] },
        { id: 3, callFrame: frame('r.flushSync', 0, 10), children: [5] },
        { id: 4, callFrame: frame('setAttribute') },
        { id: 5, callFrame: frame('z', entry.lineNumber, entry.columnNumber) },
        // The earlier `z`: same name, same script, another place.
        { id: 6, callFrame: frame('z', 0, 18) },
      ] as CpuProfile['nodes'],
      samples: [2, 4, 3, 5, 6, 1],
      timeDeltas: [0, 1000, 2000, 4000, 8000, 16000],
    };
    expect(inclusiveMsUnderFrames(profile, (callFrame) => isNamed(callFrame, 'flushSync') || isSchedulerEntry(callFrame, entry))).toBeCloseTo(1 + 2 + 4 + 8, 6);
    expect(inclusiveMsUnderFrames(profile, (callFrame) => isNamed(callFrame, 'flushSync'))).toBeCloseTo(4 + 8, 6);
  });
});

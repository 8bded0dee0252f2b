import { describe, expect, it } from 'vitest';
import { decideSetbackWrite, setbackEvent } from '../../../src/engine/outcomes/task-setback.js';

describe('what a setback writes', () => {
  it('requeues a retry for later, counting the attempt only when the failure was the task\'s own', () => {
    const transient = { kind: 'retry', availableAtMs: 5_000, countsAsAttempt: true, errorCode: 'provider_transient', message: 'overloaded' } as const;
    expect(decideSetbackWrite(transient)).toEqual({ status: 'queued', availableAtMs: 5_000, addsAttempt: true, finishes: false, errorCode: 'provider_transient', message: 'overloaded' });
    const rateLimited = { ...transient, countsAsAttempt: false, errorCode: 'provider_rate_limited' };
    expect(decideSetbackWrite(rateLimited)).toMatchObject({ status: 'queued', addsAttempt: false, finishes: false });
    expect(setbackEvent(rateLimited, 2)).toEqual({ type: 'task.retrying', payload: { errorCode: 'provider_rate_limited', message: 'overloaded', availableAtMs: 5_000, attempts: 2 } });
  });

  it('ends a task as failed or blocked, always counting the attempt, and finishes it', () => {
    const blocked = { kind: 'end', status: 'blocked', errorCode: 'provider_blocked', message: 'safety' } as const;
    expect(decideSetbackWrite(blocked)).toEqual({ status: 'blocked', availableAtMs: undefined, addsAttempt: true, finishes: true, errorCode: 'provider_blocked', message: 'safety' });
    expect(decideSetbackWrite({ ...blocked, status: 'failed' })).toMatchObject({ status: 'failed', finishes: true });
    expect(setbackEvent(blocked, 3)).toEqual({ type: 'task.failed', payload: { status: 'blocked', errorCode: 'provider_blocked', message: 'safety' } });
  });
});

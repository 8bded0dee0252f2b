import { describe, expect, it } from 'vitest';
import {
  buildSessionLog,
  formatSessionJobId,
  newSessionId,
  parseSessionJobId,
  sessionIdPattern,
  sessionJobIdWidth,
  sessionJobStatus,
  sessionLogFileName,
  type SessionTaskView,
} from '../../src/core/session-log.js';

function task(overrides: Partial<SessionTaskView> & { ordinal: number }): SessionTaskView {
  return {
    status: 'queued',
    attempts: 0,
    lastErrorCode: undefined,
    lastErrorMessage: undefined,
    finishedAtMs: undefined,
    startedAtMs: undefined,
    seed: 7,
    costUsd: undefined,
    promptId: 'catalog_a/hero',
    variables: { combo: 'c1', prompt_id: 'hero', wardrobe: 'summer', prompt_file: 'prompts/catalog_a/hero.md', combo_path: 'Combos/summer/c1', combo_description: 'long text' },
    ...overrides,
  };
}

describe('buildSessionLog', () => {
  const at = Date.UTC(2026, 10, 21, 15, 30, 0);
  const log = buildSessionLog({
    sessionId: '20261121-153000-abcd',
    jobId: 'job-1',
    createdAtMs: at,
    nowMs: at + 60_000,
    jobStatus: 'processing',
    jobStatusReason: undefined,
    config: { refs: ['Combos/{combo}/'] },
    tasks: [
      task({ ordinal: 2, status: 'failed', attempts: 5, lastErrorCode: 'provider_transient', lastErrorMessage: '503 overloaded', finishedAtMs: at + 5_000 }),
      task({ ordinal: 0, status: 'completed', startedAtMs: at + 1_000, finishedAtMs: at + 2_000, costUsd: 0.039 }),
      task({ ordinal: 1, status: 'queued', attempts: 1, lastErrorCode: 'provider_transient', lastErrorMessage: 'timeout' }),
      task({ ordinal: 3, status: 'running', startedAtMs: at + 3_000 }),
      task({ ordinal: 4, status: 'blocked', lastErrorCode: 'provider_blocked', lastErrorMessage: 'safety' }),
      task({ ordinal: 5 }),
    ],
    outputsByOrdinal: new Map([[0, ['summer/c1/hero/0001-hero-1K.png']]]),
  });

  it('lists entries in plan order with zero-padded ids and the fields the issue names', () => {
    expect(log.jobs.map((job) => job.id)).toEqual(['0001', '0002', '0003', '0004', '0005', '0006']);
    expect(log.jobs[0]).toEqual({
      id: '0001',
      prompt_file: 'prompts/catalog_a/hero.md',
      prompt_id: 'hero',
      combo: 'Combos/summer/c1',
      status: 'completed',
      attempts: 1,
      output: 'summer/c1/hero/0001-hero-1K.png',
      error: null,
      error_code: null,
      started: '2026-11-21T15:30:01.000Z',
      completed: '2026-11-21T15:30:02.000Z',
      seed: 7,
      cost_usd: 0.039,
      variables: { combo: 'c1', prompt_id: 'hero', wardrobe: 'summer' },
    });
  });

  it('maps statuses, shows errors only where they matter, and summarises', () => {
    expect(log.jobs.map((job) => job.status)).toEqual(['completed', 'retry', 'failed', 'running', 'blocked', 'pending']);
    expect(log.jobs[1]?.error).toBe('timeout');
    expect(log.jobs[2]?.error).toBe('503 overloaded');
    expect(log.jobs[2]?.completed).toBeNull();
    expect(log.jobs[3]?.error).toBeNull();
    // Calls made: the first-time success is 1, the running call counts, a retry waiting does not yet.
    expect(log.jobs.map((job) => job.attempts)).toEqual([1, 1, 5, 1, 0, 0]);
    expect(log.summary).toEqual({ total: 6, completed: 1, failed: 1, blocked: 1, pending: 3, running: 1, canceled: 0, cost_usd: 0.039 });
    expect(log).toMatchObject({ session_id: '20261121-153000-abcd', job_id: 'job-1', version: 1, started: '2026-11-21T15:30:00.000Z', status: 'processing', status_reason: null });
  });

  it('is plain JSON (what jq reads)', () => {
    expect(JSON.parse(JSON.stringify(log))).toEqual(log);
  });
});

describe('session ids', () => {
  it('pads ids to at least four digits and parses them back', () => {
    expect(sessionJobIdWidth(40)).toBe(4);
    expect(sessionJobIdWidth(12_345)).toBe(5);
    expect(formatSessionJobId(6, 4)).toBe('0007');
    expect(parseSessionJobId('0007')).toBe(6);
    expect(parseSessionJobId('7')).toBe(6);
    expect(parseSessionJobId('0')).toBeUndefined();
    expect(parseSessionJobId('x7')).toBeUndefined();
  });

  it('makes sortable, file-safe session ids', () => {
    const id = newSessionId(Date.UTC(2026, 10, 21, 15, 30, 5), () => 0.5);
    expect(id).toMatch(/^20261121-153005-[a-z2-9]{4}$/);
    expect(sessionIdPattern.test(id)).toBe(true);
    expect(sessionIdPattern.test('../etc')).toBe(false);
    expect(sessionLogFileName(id)).toBe(`${id}-session.json`);
  });

  it('treats a queued task without a past failure as pending', () => {
    expect(sessionJobStatus({ status: 'queued', attempts: 0, lastErrorCode: undefined })).toBe('pending');
    expect(sessionJobStatus({ status: 'queued', attempts: 0, lastErrorCode: 'worker_lost' })).toBe('retry');
  });
});

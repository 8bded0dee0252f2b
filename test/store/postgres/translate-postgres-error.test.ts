/** The Postgres error translation and money conversion: pure, no server. */
import { describe, expect, it } from 'vitest';
import { ImagefleetError } from '../../../src/core/errors.js';
import { fromMicroUsd, toMicroUsd, toMicroUsdOrNull } from '../../../src/store/postgres/money.js';
import { withoutPassword } from '../../../src/store/postgres/open-postgres.js';
import { isRetryablePostgresError, translatePostgresError } from '../../../src/store/postgres/translate-postgres-error.js';

function driverError(code: string, message = `error ${code}`): Error {
  return Object.assign(new Error(message), { code });
}

describe('translatePostgresError', () => {
  it('maps a unique violation to conflict, naming what was attempted', () => {
    const translated = translatePostgresError(driverError('23505', 'duplicate key value violates unique constraint "jobs_pkey"'), 'create job j1');
    expect(translated.code).toBe('conflict');
    expect(translated.message).toMatch(/^Could not create job j1: a record with the same unique value already exists/);
  });

  it('maps exhausted serialization failures and deadlocks to storage_unavailable, and only those are retryable', () => {
    for (const code of ['40001', '40P01']) {
      expect(isRetryablePostgresError(driverError(code))).toBe(true);
      expect(translatePostgresError(driverError(code), 'claim tasks').code).toBe('storage_unavailable');
    }
    expect(isRetryablePostgresError(driverError('23505'))).toBe(false);
    expect(isRetryablePostgresError(new Error('no code'))).toBe(false);
  });

  it('maps an unreachable or shutting-down server to storage_unavailable', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', '08006', '57P01', '53300']) {
      const translated = translatePostgresError(driverError(code), 'read jobs');
      expect(translated.code).toBe('storage_unavailable');
      expect(translated.message).toContain('cannot be reached');
    }
    expect(translatePostgresError(new Error('Connection terminated unexpectedly'), 'read jobs').code).toBe('storage_unavailable');
  });

  it('passes ImagefleetErrors through and makes anything else internal', () => {
    const own = new ImagefleetError('not_found', 'Job j1 does not exist.');
    expect(translatePostgresError(own, 'read job j1')).toBe(own);
    expect(translatePostgresError(driverError('22012', 'division by zero'), 'sum costs')).toMatchObject({ code: 'internal', message: 'Could not sum costs because of an unexpected error: division by zero' });
  });
});

describe('money in micro-USD', () => {
  it('converts USD at the adapter edge, exactly for sums floating point would drift on', () => {
    expect(toMicroUsd(0.1 + 0.2)).toBe(300_000);
    expect(fromMicroUsd(toMicroUsd(0.1) + toMicroUsd(0.2))).toBe(0.3);
    expect(toMicroUsd(0.000_000_4)).toBe(0);
    expect(toMicroUsd(12.345_678_9)).toBe(12_345_679);
    expect(toMicroUsdOrNull(undefined)).toBeNull();
    expect(toMicroUsdOrNull(null)).toBeNull();
    expect(toMicroUsdOrNull(2)).toBe(2_000_000);
  });
});

describe('withoutPassword', () => {
  it('hides the password of a connection URL and keeps the rest', () => {
    expect(withoutPassword('postgres://fleet:s3cret@db.example:5432/imagefleet')).toBe('postgres://fleet:***@db.example:5432/imagefleet');
    expect(withoutPassword('postgres://fleet@db.example/imagefleet')).toBe('postgres://fleet@db.example/imagefleet');
    expect(withoutPassword('not a url')).toBe('(an unparsable URL)');
  });
});

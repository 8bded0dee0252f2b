import { describe, expect, it } from 'vitest';
import { isLeaseOwnerGone, parseLeaseOwner } from '../../src/core/lease-owner.js';

describe('lease owners', () => {
  it('parses host:pid:random, also when the host has colons', () => {
    expect(parseLeaseOwner('box:1234:abcd1234')).toEqual({ host: 'box', pid: 1234 });
    expect(parseLeaseOwner('fe80::1:99:ab')).toEqual({ host: 'fe80::1', pid: 99 });
    expect(parseLeaseOwner('worker-1a2b3c4d')).toBeUndefined();
    expect(parseLeaseOwner('box:x:abc')).toBeUndefined();
    expect(parseLeaseOwner(':12:abc')).toBeUndefined();
  });

  it('calls an owner gone only when it is on this host and its process is not alive', () => {
    const alive = (pid: number): boolean => pid === 1;
    expect(isLeaseOwnerGone('box:2:abc', 'box', alive)).toBe(true);
    expect(isLeaseOwnerGone('box:1:abc', 'box', alive)).toBe(false);
    expect(isLeaseOwnerGone('other:2:abc', 'box', alive)).toBe(false);
    expect(isLeaseOwnerGone('worker-abc', 'box', alive)).toBe(false);
  });
});

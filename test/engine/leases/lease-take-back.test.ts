import { describe, expect, it } from 'vitest';
import { decideTakeBack } from '../../../src/engine/leases/lease-take-back.js';

describe('taking back the task of a lost worker', () => {
  it('requeues it, counting the death, with a message that names the worker and the cause', () => {
    expect(decideTakeBack(0, 3, 'host:12:abcd', 'lease-expired')).toEqual({
      kind: 'requeue',
      leaseExpirations: 1,
      message: 'Lease expired (worker host:12:abcd stopped responding); requeued.',
    });
    expect(decideTakeBack(1, 3, undefined, 'worker-gone')).toEqual({
      kind: 'requeue',
      leaseExpirations: 2,
      message: 'Worker unknown no longer exists; its task was taken back at once and requeued.',
    });
  });

  it('fails it as poison when it has taken down the most workers allowed', () => {
    expect(decideTakeBack(2, 3, 'host:12:abcd', 'lease-expired')).toEqual({
      kind: 'poison',
      leaseExpirations: 3,
      message: 'A worker stopped while running this task 3 times; it was failed so it cannot crash workers forever. Retry it once the cause is fixed.',
    });
  });
});

/** Runs `action` and returns what it threw; fails the test when it does not throw. */
export function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the action to throw');
}

/** Awaits `work` and returns what it rejected with; fails the test when it resolves. */
export async function rejectionOf(work: () => Promise<unknown>): Promise<Error & { code?: string; retryAfterMs?: number }> {
  try {
    await work();
  } catch (error) {
    return error as Error & { code?: string; retryAfterMs?: number };
  }
  throw new Error('expected the call to reject');
}

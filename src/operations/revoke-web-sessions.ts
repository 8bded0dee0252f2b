/** Revokes every web session of the store (sign everyone out); returns how many were live. */
import type { OperationDependencies } from './operation-dependencies.js';

export type RevokeWebSessionsInput = Record<string, never>;

export function revokeWebSessions(_input: RevokeWebSessionsInput, dependencies: Pick<OperationDependencies, 'store' | 'clock'>): Promise<number> {
  return dependencies.store.webSessions.revokeAllSessions(dependencies.clock.now());
}

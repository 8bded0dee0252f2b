/**
 * Vitest global setup: makes sure `.next` holds a production build of the current sources, so the
 * end-to-end tests can run the real `imagefleet serve`. Builds only when the build inputs changed
 * (the same check `npm start` uses). A failed build does not abort the run: its output is handed
 * to the tests that need it (`inject('nextBuildError')`), which fail with it, and all others run.
 */
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { buildWebAppIfStale } from '../../src/platform/web-app-build.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Empty when `.next` is a fresh build; otherwise why the build failed. */
    nextBuildError: string;
  }
}

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));

export default async function setup(project: TestProject): Promise<void> {
  // Targeted runs of tests that never start the server (`IMAGEFLEET_SKIP_NEXT_BUILD=1 npx vitest
  // run test/providers`) need not wait for a build; a server test run this way fails and says why.
  if (process.env.IMAGEFLEET_SKIP_NEXT_BUILD === '1') {
    project.provide('nextBuildError', 'the Next.js build was skipped (IMAGEFLEET_SKIP_NEXT_BUILD=1); run without it to test the server');
    return;
  }
  const outcome = await buildWebAppIfStale({ projectRoot });
  if (outcome.status === 'built') process.stdout.write(`next-build-setup: built .next in ${(outcome.durationMs / 1000).toFixed(1)} s\n`);
  project.provide('nextBuildError', outcome.status === 'failed' ? outcome.reason : '');
}

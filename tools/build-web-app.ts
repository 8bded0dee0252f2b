/**
 * `npm start` and `npm run build` run this: builds the web app (next build) when its sources
 * changed since the last build, or always with `--force`. Exits 1 with the build's output when it
 * fails.
 */
import { fileURLToPath } from 'node:url';
import { buildWebAppIfStale } from '../src/platform/web-app-build.js';

const projectRoot = fileURLToPath(new URL('../', import.meta.url));
const force = process.argv.includes('--force');
const outcome = await buildWebAppIfStale({
  projectRoot,
  force,
  onOutput: (chunk) => process.stderr.write(chunk),
});
switch (outcome.status) {
  case 'fresh':
    process.stderr.write('web app: the last build is current (sources unchanged); not rebuilding\n');
    break;
  case 'built':
    process.stderr.write(`web app: built in ${(outcome.durationMs / 1000).toFixed(1)} s\n`);
    break;
  case 'failed':
    process.stderr.write(`web app: ${outcome.reason.split('\n')[0]}; its output is above\n`);
    process.exitCode = 1;
}

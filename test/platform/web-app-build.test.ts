import { mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hashBuildInputs, isWebAppBuildFresh } from '../../src/platform/web-app-build.js';
import { makeTempDir } from '../support/temp-dir.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

/** A project root with a few build inputs and a build stamped with their current hash. */
async function builtProject(): Promise<string> {
  const { directory: root, cleanup } = await makeTempDir('web-app-build-');
  cleanups.push(cleanup);
  mkdirSync(path.join(root, 'src', 'app'), { recursive: true });
  writeFileSync(path.join(root, 'src', 'app', 'page.tsx'), 'export default function Page() { return null; }\n');
  writeFileSync(path.join(root, 'package.json'), '{"name":"x"}\n');
  mkdirSync(path.join(root, '.next'));
  writeFileSync(path.join(root, '.next', 'BUILD_ID'), 'build-1');
  writeFileSync(path.join(root, '.next', 'imagefleet-build-inputs.sha256'), `${hashBuildInputs(root)}\n`);
  return root;
}

describe('web app build freshness', () => {
  it('is fresh when the inputs are unchanged, even when their modification times are newer than the build', async () => {
    const root = await builtProject();
    const future = new Date(Date.now() + 60_000);
    utimesSync(path.join(root, 'src', 'app', 'page.tsx'), future, future);
    expect(isWebAppBuildFresh(root)).toBe(true);
  });

  it('is stale when a source changes, a source is added, or the build is missing', async () => {
    const root = await builtProject();
    writeFileSync(path.join(root, 'src', 'app', 'page.tsx'), 'export default function Page() { return "changed"; }\n');
    expect(isWebAppBuildFresh(root)).toBe(false);

    const other = await builtProject();
    writeFileSync(path.join(other, 'src', 'app', 'new-file.ts'), 'export {};\n');
    expect(isWebAppBuildFresh(other)).toBe(false);

    const unbuilt = await builtProject();
    expect(isWebAppBuildFresh(unbuilt)).toBe(true);
    rmSync(path.join(unbuilt, '.next', 'BUILD_ID'));
    expect(isWebAppBuildFresh(unbuilt)).toBe(false);
  });

  it('ignores files that are not build inputs (tests, docs, other tools)', async () => {
    const root = await builtProject();
    mkdirSync(path.join(root, 'test'));
    writeFileSync(path.join(root, 'test', 'a.test.ts'), 'x');
    writeFileSync(path.join(root, 'README.md'), 'x');
    mkdirSync(path.join(root, 'tools'));
    writeFileSync(path.join(root, 'tools', 'smoke.ts'), 'x');
    expect(isWebAppBuildFresh(root)).toBe(true);
  });
});

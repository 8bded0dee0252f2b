#!/usr/bin/env node
// Adds package-lock entries for optional platform binaries that the package registry mirror of
// this project's build machines does not serve (e.g. @next/swc-darwin-arm64). Without them
// `npm ci` refuses the lock as out of sync. Each entry carries the os/cpu its name states, so npm
// skips it on other platforms and fetches it by version on the platform that needs it.
// Run after `npm install` changes the lock: `node tools/complete-lockfile-platforms.mjs`.
import { readFileSync, writeFileSync } from 'node:fs';

const lockPath = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
const packages = lock.packages;
const platformPattern = /-(android|darwin|freebsd|linux|win32|wasm32)-?([a-z0-9]+)?/;
const cpuNames = ['arm64', 'x64', 'arm', 'ia32', 'wasm32'];
let added = 0;

for (const [location, entry] of Object.entries(packages)) {
  for (const [name, range] of Object.entries(entry.optionalDependencies ?? {})) {
    const parentDirectory = location === '' ? '' : `${location}/`;
    const candidates = [`${parentDirectory}node_modules/${name}`, `node_modules/${name}`];
    if (candidates.some((candidate) => packages[candidate])) continue;
    const match = platformPattern.exec(name.split('/').pop() ?? '');
    if (!match) continue;
    const os = match[1] === 'wasm32' ? undefined : match[1];
    const cpu = match[1] === 'wasm32' ? 'wasm32' : cpuNames.find((candidate) => name.includes(`-${candidate}`));
    if (!cpu) continue;
    const version = String(range).replace(/^[\^~=]/, '');
    packages[`node_modules/${name}`] = {
      version,
      optional: true,
      ...(os ? { os: [os] } : {}),
      cpu: [cpu],
      ...(name.includes('-musl') ? { libc: ['musl'] } : name.includes('-gnu') ? { libc: ['glibc'] } : {}),
    };
    added += 1;
  }
}

const sorted = Object.fromEntries(Object.entries(packages).sort(([left], [right]) => (left === '' ? -1 : right === '' ? 1 : left.localeCompare(right))));
lock.packages = sorted;
writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lockfile-platforms: added ${added} optional platform entries`);

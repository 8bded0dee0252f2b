#!/usr/bin/env node
// Runs the TypeScript CLI straight from source: tsx compiles on the fly (and caches), so
// `npx imagefleet` works right after `npm ci` with no build step.
import process from 'node:process';
import { applyServerMemorySettings } from './server-memory-settings.js';

// First, before anything allocates much: `serve` and `worker` on Linux replace themselves once
// with glibc's and V8's memory settings (decision 0047).
applyServerMemorySettings();

process.env.NEXT_TELEMETRY_DISABLED ??= '1';
// Output writes are fsync-bound and run on libuv's pool (4 threads by default); the pool is
// created on first use, so this must be set before any asynchronous file work. 16 threads gave
// about 25% more engine throughput on 2 cores (docs/benchmarks.md).
process.env.UV_THREADPOOL_SIZE ??= '16';

const { register } = await import('tsx/esm/api');
register();
const { runCli } = await import('../src/cli/main.ts');
// Exit explicitly: after a graceful stop, Next.js may still hold timers that would keep us alive.
process.exit(await runCli(process.argv));

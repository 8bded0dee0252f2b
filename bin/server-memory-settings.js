// The memory settings of imagefleet's long-running servers (`serve`, `worker`), decision 0047.
// glibc reads its allocator variables at the process's first malloc and V8 sizes its young
// generation at start, so neither can be changed from inside a running process. On Linux the
// process therefore replaces itself once (`process.execve`: same PID, same stdio, no parent left
// behind, so signals and `kill -9` reach the server as before) with the variables set:
// - MALLOC_MMAP_THRESHOLD_=131072: image buffers are mapped on their own and go back to the
//   system when freed, instead of staying in the per-thread arenas of libuv's and libvips' threads;
// - MALLOC_TRIM_THRESHOLD_=4194304: a fixed mmap threshold also pins the trim threshold at 128 KiB,
//   which made uploads 2–3× slower; 4 MiB keeps the speed at the same memory;
// - --max-semi-space-size=4: V8 collects dead request and image buffers sooner;
// - --heap-growing-percent=20: V8 lets the old generation grow 20% past what the last full
//   collection kept before collecting again, instead of up to 2-4x: request garbage that outlived
//   the small young generation is collected before it adds up (issue 20: the heap grew 25-45 MiB
//   between full collections during 1,000 uploads; decision 0052).
// Left alone when the user set any MALLOC_ variable or GLIBC_TUNABLES (their choice wins), when
// IMAGEFLEET_MEMORY_SETTINGS=default, off Linux, and on Node lines without `process.execve`
// (22 before 22.15): those get glibc's and V8's defaults, as docs/deployment.md says.
import process from 'node:process';

/** Commands that run a long-lived server and get the settings. */
const serverCommands = new Set(['serve', 'worker']);
/** Global options of the CLI that take a value (src/cli/main.ts), skipped to find the command. */
const globalOptionsWithValue = new Set(['--data-dir', '--log-level']);

export const serverMemoryEnvironment = Object.freeze({ MALLOC_MMAP_THRESHOLD_: '131072', MALLOC_TRIM_THRESHOLD_: '4194304' });
export const serverSemiSpaceFlag = '--max-semi-space-size=4';
export const serverHeapGrowingFlag = '--heap-growing-percent=20';

/** The command word of a CLI invocation (`process.argv.slice(2)`), skipping global options. */
export function commandOf(cliArguments) {
  for (let index = 0; index < cliArguments.length; index += 1) {
    const argument = cliArguments[index];
    if (globalOptionsWithValue.has(argument)) {
      index += 1;
      continue;
    }
    if (!argument.startsWith('-')) return argument;
  }
  return undefined;
}

/** Whether this process should replace itself to take the settings. */
export function wantsServerMemorySettings(environment, cliArguments, platform, canReplaceProcess) {
  if (platform !== 'linux' || !canReplaceProcess) return false;
  if (environment.IMAGEFLEET_MEMORY_SETTINGS === 'default') return false;
  if (environment.GLIBC_TUNABLES !== undefined || Object.keys(environment).some((name) => name.startsWith('MALLOC_'))) return false;
  return serverCommands.has(commandOf(cliArguments));
}

/** Replaces the process with itself plus the settings when it should; returns only when it does not. */
export function applyServerMemorySettings() {
  if (!wantsServerMemorySettings(process.env, process.argv.slice(2), process.platform, typeof process.execve === 'function')) return;
  const nodeOptions = process.env.NODE_OPTIONS ?? '';
  const given = (flag) => [...process.execArgv, nodeOptions].some((option) => option.includes(flag));
  const hasSemiSpace = given('--max-semi-space-size');
  const hasHeapGrowing = given('heap-growing-percent') || given('heap_growing_percent');
  const executableArguments = [...(hasSemiSpace ? [] : [serverSemiSpaceFlag]), ...(hasHeapGrowing ? [] : [serverHeapGrowingFlag]), ...process.execArgv];
  process.execve(process.execPath, [process.execPath, ...executableArguments, ...process.argv.slice(1)], { ...process.env, ...serverMemoryEnvironment });
}

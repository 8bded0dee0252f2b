/** Types of server-memory-settings.js (plain JavaScript: it runs before tsx is registered). */

/** The glibc allocator variables `serve` and `worker` run with on Linux (decision 0047). */
export declare const serverMemoryEnvironment: Readonly<{ MALLOC_MMAP_THRESHOLD_: string; MALLOC_TRIM_THRESHOLD_: string }>;
/** The V8 flag they run with: a 4 MiB semi-space. */
export declare const serverSemiSpaceFlag: string;
/** The V8 flag that lets the old generation grow only 20% past the last full collection's survivors (decision 0052). */
export declare const serverHeapGrowingFlag: string;
/** The command word of a CLI invocation (`process.argv.slice(2)`), skipping global options and their values. */
export declare function commandOf(cliArguments: readonly string[]): string | undefined;
/** Whether an invocation should replace itself to take the settings. */
export declare function wantsServerMemorySettings(environment: Readonly<Record<string, string | undefined>>, cliArguments: readonly string[], platform: string, canReplaceProcess: boolean): boolean;
/** Replaces the process with itself plus the settings when it should; returns only when it does not. */
export declare function applyServerMemorySettings(): void;

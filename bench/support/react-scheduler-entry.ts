/**
 * Finds React's scheduler task in a minified build, so that a CPU profile can say how long React
 * worked. Without `flushSync`, React renders and commits an ordinary update inside its scheduler's
 * task: a `MessageChannel` message whose handler (`performWorkUntilDeadline` in React's source)
 * calls the work queued since. Minification renames that function (`z`, say, and other functions
 * in the same file may be called `z` too), so it is found by the one line of the scheduler that
 * names it — `channel.port1.onmessage = performWorkUntilDeadline` — and pinned to the definition of
 * that name nearest before it, where a V8 profile's call frame places the function: at the `(` of
 * its parameters.
 */
import type { CallFrame } from './cpu-profile-time-under.js';

/** The scheduler's task handler in one script. */
export interface SchedulerEntry {
  /** The script's URL, as profiles name it. */
  url: string;
  /** The handler's name in that build. */
  functionName: string;
  /** 0-based line of the handler's parameter list. */
  lineNumber: number;
  /** 0-based column of the handler's parameter list. */
  columnNumber: number;
}

/** The scheduler's task handler among `scripts`, or undefined when none of them holds React's scheduler. */
export function findSchedulerEntry(scripts: ReadonlyArray<{ url: string; source: string }>): SchedulerEntry | undefined {
  for (const { url, source } of scripts) {
    const assignment = /\.port1\.onmessage\s*=\s*([A-Za-z_$][\w$]*)/.exec(source);
    if (!assignment) continue;
    const name = assignment[1]!;
    const escaped = name.replace(/\$/g, '\\$');
    // `function z(` or `z = function(` (React's own source): the parameters' `(` is where V8 places it.
    const definitions = new RegExp(`function\\s+${escaped}\\s*\\(|(?<![\\w$.])${escaped}\\s*=\\s*function\\s*\\(`, 'g');
    let parameterOffset = -1;
    for (const match of source.slice(0, assignment.index).matchAll(definitions)) parameterOffset = match.index + match[0].length - 1;
    if (parameterOffset < 0) continue;
    const before = source.slice(0, parameterOffset);
    const lineStart = before.lastIndexOf('\n') + 1;
    return { url, functionName: name, lineNumber: before.split('\n').length - 1, columnNumber: parameterOffset - lineStart };
  }
  return undefined;
}

/** Whether a profile's frame is that handler. */
export function isSchedulerEntry(frame: CallFrame, entry: SchedulerEntry): boolean {
  return frame.url === entry.url && frame.functionName === entry.functionName && frame.lineNumber === entry.lineNumber && frame.columnNumber === entry.columnNumber;
}

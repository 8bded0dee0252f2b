/**
 * Gemini's per-day quotas reset at midnight US Pacific time, so a provider paused for an
 * exhausted daily quota resumes then, not after a guessed delay.
 */

const pacificTimeZone = 'America/Los_Angeles';
const hourMs = 60 * 60_000;
const dayMs = 24 * hourMs;
/** Resume a little after the reset, not exactly on it: clocks differ. */
const resetMarginMs = 60_000;

const pacificClock = new Intl.DateTimeFormat('en-US', {
  timeZone: pacificTimeZone,
  hourCycle: 'h23',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** Milliseconds from `nowMs` until just after the next midnight in US Pacific time (daylight saving included). */
export function msUntilPacificMidnight(nowMs: number): number {
  const sinceMidnightMs = pacificMsSinceMidnight(nowMs);
  let untilMs = dayMs - sinceMidnightMs;
  // On the two days a year the clocks change, a day is 23 or 25 hours: correct by the hour the
  // Pacific clock shows at the computed instant.
  const landedMs = pacificMsSinceMidnight(nowMs + untilMs);
  if (landedMs >= dayMs - 2 * hourMs) untilMs += dayMs - landedMs;
  else if (landedMs > 0 && landedMs <= 2 * hourMs) untilMs -= landedMs;
  return untilMs + resetMarginMs;
}

function pacificMsSinceMidnight(epochMs: number): number {
  const parts = pacificClock.formatToParts(new Date(epochMs));
  const value = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((part) => part.type === type)?.value ?? 0);
  return value('hour') * hourMs + value('minute') * 60_000 + value('second') * 1000 + (epochMs % 1000);
}

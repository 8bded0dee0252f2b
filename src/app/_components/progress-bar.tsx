/** A progress bar people and screen readers can read: the fraction as a bar, its label in words. */
export function ProgressBar({ fraction, label, tone = 'violet', size = 'medium' }: { fraction: number; label: string; tone?: 'violet' | 'emerald' | 'amber' | 'red'; size?: 'small' | 'medium' }) {
  const clamped = Math.max(0, Math.min(1, Number.isFinite(fraction) ? fraction : 0));
  const toneClass = { violet: 'bg-violet-500', emerald: 'bg-emerald-500', amber: 'bg-amber-500', red: 'bg-red-500' }[tone];
  return (
    <div
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.round(clamped * 100)}
      className={`w-full overflow-hidden rounded-full bg-neutral-800 ${size === 'small' ? 'h-1.5' : 'h-2.5'}`}
    >
      <div className={`h-full rounded-full transition-[width] duration-500 ${toneClass}`} style={{ width: `${clamped * 100}%` }} />
    </div>
  );
}

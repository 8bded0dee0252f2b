/** A job's status as a coloured pill, the same on every page. */
const statusStyles: Record<string, string> = {
  queued: 'bg-neutral-800 text-neutral-300 ring-neutral-700',
  processing: 'bg-violet-500/15 text-violet-300 ring-violet-500/40',
  paused: 'bg-amber-500/15 text-amber-300 ring-amber-500/40',
  completed: 'bg-emerald-500/15 text-emerald-300 ring-emerald-500/40',
  failed: 'bg-red-500/15 text-red-300 ring-red-500/40',
  canceled: 'bg-neutral-800 text-neutral-400 ring-neutral-700',
};

export function StatusBadge({ status }: { status: string }) {
  return (
    <span data-testid="job-status" className={`inline-flex items-center gap-1.5 rounded-full px-2.5 py-0.5 text-xs font-medium capitalize ring-1 ring-inset ${statusStyles[status] ?? statusStyles.queued}`}>
      {status === 'processing' ? <span aria-hidden className="size-1.5 animate-pulse rounded-full bg-violet-400" /> : null}
      {status}
    </span>
  );
}

import type { HTMLAttributes } from 'react';

/** The rounded surface sections sit on. */
export function Card({ className, ...props }: HTMLAttributes<HTMLElement>) {
  return <section className={`rounded-xl border border-neutral-800 bg-neutral-900/60 p-4 sm:p-6 ${className ?? ''}`} {...props} />;
}

/** A small uppercase section title inside a card. */
export function CardTitle({ className, ...props }: HTMLAttributes<HTMLHeadingElement>) {
  return <h2 className={`text-xs font-semibold uppercase tracking-wider text-neutral-400 ${className ?? ''}`} {...props} />;
}

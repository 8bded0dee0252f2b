/**
 * The app's icons as inline SVG (24-unit grid, stroked with the text colour). Emoji and symbol
 * glyphs render as empty boxes on machines without an emoji font; these draw everywhere. Icons are
 * decoration: the control around them carries the accessible name.
 */
import type { ReactNode } from 'react';

export type IconName =
  | 'star'
  | 'star-filled'
  | 'close'
  | 'arrow-left'
  | 'arrow-right'
  | 'arrow-up'
  | 'arrow-down'
  | 'check'
  | 'trash'
  | 'undo'
  | 'reroll'
  | 'variations'
  | 'download'
  | 'hash'
  | 'minus'
  | 'zoom-in'
  | 'zoom-out'
  | 'copy';

const paths: Record<IconName, ReactNode> = {
  star: <path d="M12 3.5l2.6 5.3 5.9.9-4.25 4.1 1 5.8L12 16.9l-5.25 2.7 1-5.8L3.5 9.7l5.9-.9z" />,
  'star-filled': <path d="M12 3.5l2.6 5.3 5.9.9-4.25 4.1 1 5.8L12 16.9l-5.25 2.7 1-5.8L3.5 9.7l5.9-.9z" fill="currentColor" />,
  close: <path d="M6 6l12 12M18 6L6 18" />,
  'arrow-left': <path d="M15 5l-7 7 7 7" />,
  'arrow-right': <path d="M9 5l7 7-7 7" />,
  'arrow-up': <path d="M5 15l7-7 7 7" />,
  'arrow-down': <path d="M5 9l7 7 7-7" />,
  check: <path d="M5 12.5l4.5 4.5L19 7.5" />,
  trash: <path d="M4 7h16M9 7V4.5h6V7M6.5 7l1 13h9l1-13M10 11v6M14 11v6" />,
  undo: <path d="M9 14L4 9l5-5M4 9h10a6 6 0 010 12h-3" />,
  reroll: <path d="M20 12a8 8 0 11-2.35-5.65M20 4v5h-5" />,
  variations: <path d="M8 8h11v11H8zM5 16V5h11" />,
  download: <path d="M12 4v11M7 10.5l5 5 5-5M5 20h14" />,
  hash: <path d="M9 4L7.5 20M16.5 4L15 20M4.5 9h16M3.5 15h16" />,
  minus: <path d="M5 12h14" />,
  'zoom-in': <path d="M10.5 17a6.5 6.5 0 100-13 6.5 6.5 0 000 13zM20 20l-4.9-4.9M10.5 7.5v6M7.5 10.5h6" />,
  'zoom-out': <path d="M10.5 17a6.5 6.5 0 100-13 6.5 6.5 0 000 13zM20 20l-4.9-4.9M7.5 10.5h6" />,
  copy: <path d="M9 9h10v11H9zM5 15V4h10" />,
};

export function Icon({ name, className = 'size-4' }: { name: IconName; className?: string }) {
  return (
    <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={2} strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" focusable="false" className={className}>
      {paths[name]}
    </svg>
  );
}

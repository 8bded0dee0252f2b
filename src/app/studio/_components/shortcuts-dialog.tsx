'use client';
/** "?" in the Studio: every keyboard shortcut, and why the ones that change something need Alt. */
import { Dialog } from 'radix-ui';
import { buttonClasses } from '../../_components/button.js';
import { Icon } from '../../_components/icons.js';
import { cardShortcuts } from './image-card.js';

const viewerShortcuts = [
  { keys: '← →', what: 'Previous / next image' },
  { keys: 'Z', what: 'Zoom to full size / fit' },
  { keys: 'F', what: 'Favourite' },
  { keys: 'S', what: 'Use this seed' },
  { keys: 'R', what: 'Re-roll (paid)' },
  { keys: 'V', what: 'Variations (paid)' },
  { keys: 'U', what: 'Upscale (paid)' },
  { keys: 'Esc', what: 'Close' },
];

const composerShortcuts = [
  { keys: 'Ctrl+Enter / ⌘+Enter', what: 'Generate' },
  { keys: '?', what: 'This list' },
];

export function ShortcutsDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  return (
    <Dialog.Root open={open} onOpenChange={onOpenChange}>
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 z-40 bg-black/70" />
        <Dialog.Content className="fixed left-1/2 top-1/2 z-50 flex max-h-[90vh] w-[min(36rem,calc(100vw-1rem))] -translate-x-1/2 -translate-y-1/2 flex-col gap-4 overflow-y-auto rounded-lg border border-neutral-700 bg-neutral-950 p-5" data-testid="shortcuts-dialog">
          <div className="flex items-start justify-between gap-3">
            <Dialog.Title className="text-lg font-semibold">Keyboard shortcuts</Dialog.Title>
            <Dialog.Close className={buttonClasses('ghost', 'small')} aria-label="Close">
              <Icon name="close" />
            </Dialog.Close>
          </div>
          <Dialog.Description className="text-sm text-neutral-300">
            On a focused image, anything that changes it or costs money needs Alt (Option on a Mac), so typing in the wrong place does nothing. In the viewer, single keys work.
          </Dialog.Description>
          <ShortcutTable title="Focused image in the feed" rows={cardShortcuts} />
          <ShortcutTable title="Viewer" rows={viewerShortcuts} />
          <ShortcutTable title="Composer" rows={composerShortcuts} />
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

function ShortcutTable({ title, rows }: { title: string; rows: ReadonlyArray<{ keys: string; what: string }> }) {
  return (
    <section className="flex flex-col gap-1">
      <h3 className="text-xs font-medium uppercase tracking-wide text-neutral-400">{title}</h3>
      <table className="text-sm">
        <tbody>
          {rows.map((row) => (
            <tr key={row.keys} className="border-t border-neutral-800">
              <th scope="row" className="w-40 py-1 pr-3 text-left font-mono font-normal text-neutral-200">
                {row.keys}
              </th>
              <td className="py-1 text-neutral-300">{row.what}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

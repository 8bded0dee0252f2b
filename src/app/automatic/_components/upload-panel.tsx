'use client';
/**
 * Step 1 of Automatic mode: drop (or pick) images, folders and ZIPs; watch the total and per-file
 * progress; retry what failed.
 */
import { useRef, useState, type DragEvent } from 'react';
import { Button } from '../../_components/button.js';
import { Card, CardTitle } from '../../_components/card.js';
import { ProgressBar } from '../../_components/progress-bar.js';
import { formatBytes, formatCount, formatCountOf } from '../../_lib/format.js';
import { collectDroppedFiles } from '../_lib/collect-dropped-files.js';
import { uploadConcurrency, type UploadQueue, type UploadSnapshot } from '../_lib/upload-queue.js';

const accepted = 'image/png,image/jpeg,image/webp,image/avif,.zip,application/zip';

export function UploadPanel({ queue, snapshot }: { queue: UploadQueue; snapshot: UploadSnapshot }) {
  const filesInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const { counts, entries } = snapshot;
  const done = counts.stored + counts.duplicate;
  const active = entries.filter((entry) => entry.status === 'uploading');
  const failed = entries.filter((entry) => entry.status === 'failed');

  const onDrop = async (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    queue.add(await collectDroppedFiles(event.dataTransfer));
  };

  return (
    <Card className="flex flex-col gap-4" aria-labelledby="upload-heading">
      <div className="flex items-center justify-between gap-3">
        <CardTitle id="upload-heading">1 · Reference images</CardTitle>
        {entries.length > 0 ? (
          <Button size="small" variant="ghost" onClick={() => queue.clear()}>
            Start over
          </Button>
        ) : null}
      </div>
      <div
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(event) => void onDrop(event)}
        className={`flex flex-col items-center gap-3 rounded-xl border-2 border-dashed px-6 py-10 text-center transition ${dragging ? 'border-violet-400 bg-violet-500/10' : 'border-neutral-700 bg-neutral-950/40'}`}
      >
        <p className="text-base font-medium">Drop images, a folder or a ZIP here</p>
        <p className="text-sm text-neutral-400">PNG, JPEG, WebP or AVIF. Thousands are fine: they go up {uploadConcurrency} at a time, and pictures already stored are not sent twice.</p>
        <div className="flex flex-wrap justify-center gap-2">
          <Button variant="primary" onClick={() => filesInput.current?.click()}>
            Choose files or ZIP
          </Button>
          <Button onClick={() => folderInput.current?.click()}>Choose a folder</Button>
        </div>
        <input
          ref={filesInput}
          data-testid="file-input"
          type="file"
          multiple
          accept={accepted}
          className="sr-only"
          aria-label="Reference images or ZIP files"
          onChange={(event) => {
            queue.add(Array.from(event.target.files ?? []));
            event.target.value = '';
          }}
        />
        <input
          ref={folderInput}
          type="file"
          multiple
          className="sr-only"
          aria-label="A folder of reference images"
          {...{ webkitdirectory: '' }}
          onChange={(event) => {
            queue.add(Array.from(event.target.files ?? []).filter((file) => !file.name.startsWith('.')));
            event.target.value = '';
          }}
        />
      </div>

      {entries.length > 0 ? (
        <div className="flex flex-col gap-3" aria-live="polite">
          <div className="flex flex-wrap items-baseline justify-between gap-2 text-sm">
            <span data-testid="upload-summary">
              {formatCount(done)} of {formatCountOf(entries.length, 'file')} uploaded · {formatCountOf(snapshot.assetIds.length, 'image')} ready
            </span>
            <span className="text-neutral-400">
              {formatBytes(snapshot.loadedBytes)} of {formatBytes(snapshot.totalBytes)}
              {counts.duplicate > 0 ? ` · ${counts.duplicate} already stored` : ''}
              {snapshot.skippedRepeats > 0 ? ` · ${snapshot.skippedRepeats} added twice, skipped` : ''}
            </span>
          </div>
          <ProgressBar fraction={snapshot.totalBytes === 0 ? 0 : snapshot.loadedBytes / snapshot.totalBytes} label="Total upload progress" tone={failed.length > 0 ? 'amber' : 'violet'} />
          {active.length > 0 ? (
            <ul className="flex flex-col gap-2" aria-label="Uploading now">
              {active.map((entry) => (
                <li key={entry.key} className="grid grid-cols-[minmax(0,1fr)_8rem] items-center gap-3 text-xs text-neutral-400">
                  <span className="truncate">{entry.name}</span>
                  <ProgressBar size="small" fraction={entry.sizeBytes === 0 ? 0 : entry.loadedBytes / entry.sizeBytes} label={`Uploading ${entry.name}`} />
                </li>
              ))}
            </ul>
          ) : null}
          {failed.length > 0 ? (
            <div className="flex flex-col gap-2 rounded-lg border border-red-500/30 bg-red-500/5 p-3">
              <div className="flex items-center justify-between gap-2">
                <p className="text-sm font-medium text-red-300">{failed.length === 1 ? '1 file failed' : `${failed.length} files failed`}</p>
                <Button size="small" onClick={() => queue.retryFailed()}>
                  Retry failed
                </Button>
              </div>
              <ul className="flex max-h-40 flex-col gap-1 overflow-y-auto text-xs">
                {failed.slice(0, 100).map((entry) => (
                  <li key={entry.key} className="flex items-start justify-between gap-2">
                    <span className="min-w-0">
                      <span className="font-medium text-neutral-200">{entry.name}</span> <span className="text-neutral-400">— {entry.message}</span>
                    </span>
                    <button type="button" className="shrink-0 text-violet-300 underline focus-visible:outline-2 focus-visible:outline-violet-400" onClick={() => queue.retryFailed(entry.key)}>
                      Retry
                    </button>
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
          {entries.some((entry) => entry.kind === 'zip' && entry.message) ? (
            <ul className="flex flex-col gap-1 text-xs text-neutral-400">
              {entries
                .filter((entry) => entry.kind === 'zip' && entry.message && entry.status !== 'failed')
                .map((entry) => (
                  <li key={entry.key}>
                    {entry.name}: {entry.message}
                  </li>
                ))}
            </ul>
          ) : null}
        </div>
      ) : null}
    </Card>
  );
}

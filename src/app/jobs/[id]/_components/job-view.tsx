'use client';
/**
 * One job, live: status, progress with counts, rate, ETA and cost, failures by reason, controls,
 * the ZIP download, and its results as a virtualised grid with the viewer, a right-click menu and
 * a selection (checkboxes, shift-click ranges, or Select mode where a tap selects — phones) to
 * favourite or download as a ZIP.
 */
import type { Route } from 'next';
import Link from 'next/link';
import { useCallback, useRef, useState } from 'react';
import { toast } from 'sonner';
import { buttonClasses, Button } from '../../../_components/button.js';
import { Card, CardTitle } from '../../../_components/card.js';
import { ConfirmDialog } from '../../../_components/confirm-dialog.js';
import { emptyImageFilter, ImageFilterBar, imageFilterQuery, type ImageFilter } from '../../../_components/image-filter-bar.js';
import { ImageGridContextMenu } from '../../../_components/image-context-menu.js';
import { ImageTile, noModifiers, type TileModifiers } from '../../../_components/image-tile.js';
import { ImageViewer } from '../../../_components/image-viewer.js';
import { nextSelection } from '../../../_lib/range-selection.js';
import { useViewerActions } from '../../../_lib/use-viewer-actions.js';
import { useViewerIndex } from '../../../_lib/use-viewer-index.js';
import { PageHeader } from '../../../_components/page-header.js';
import { ProgressBar } from '../../../_components/progress-bar.js';
import { StatusBadge } from '../../../_components/status-badge.js';
import { VirtualImageGrid } from '../../../_components/virtual-image-grid.js';
import { apiRequest, errorMessage } from '../../../_lib/api-client.js';
import { useGroup, useJobStatus } from '../../../_lib/api-queries.js';
import type { JobStatus, ResultImage } from '../../../_lib/api-types.js';
import { formatCount, formatDurationSeconds, formatPercent, formatUsd } from '../../../_lib/format.js';
import { queryKeys } from '../../../_lib/query-keys.js';
import { useDebouncedValue } from '../../../_lib/use-debounced-value.js';
import { useFavoriteToggle } from '../../../_lib/use-favorite-toggle.js';
import { useImagePages } from '../../../_lib/use-image-pages.js';
import { useJobControl } from '../../../_lib/use-job-control.js';
import { selectionDownload } from '../../../groups/[id]/_components/selection-download.js';
import { DownloadSelectionButton } from '../../../groups/[id]/_components/download-selection-button.js';
import { useQueryClient } from '@tanstack/react-query';

const finalStatuses = new Set(['completed', 'failed', 'canceled']);

export function JobView({ jobId }: { jobId: string }) {
  const job = useJobStatus(jobId);
  if (job.isError) {
    return (
      <Card className="mx-auto max-w-xl text-center">
        <p className="text-red-400">{errorMessage(job.error)}</p>
        <Link href={'/queue'} className="mt-3 inline-block text-violet-300 underline">
          Back to the queue
        </Link>
      </Card>
    );
  }
  if (!job.data) return <p className="text-neutral-400">Loading the job…</p>;
  return <JobDetails job={job.data} />;
}

function JobDetails({ job }: { job: JobStatus }) {
  const group = useGroup(job.groupId);
  const control = useJobControl();
  const finished = job.counts.completed + job.counts.failed + job.counts.blocked + job.counts.canceled;
  const isFinal = finalStatuses.has(job.status);
  const downloadHref = `/api/download/${encodeURIComponent(job.groupId)}?job=${encodeURIComponent(job.id)}`;

  return (
    <div className="mx-auto flex max-w-7xl flex-col gap-6">
      <PageHeader
        title={<span data-testid="job-name">{job.name}</span>}
        description={
          <span className="flex flex-wrap items-center gap-2">
            <StatusBadge status={job.status} />
            <span>
              {job.provider} / {job.model} · in{' '}
              <Link className="text-violet-300 underline hover:text-violet-200" href={`/groups/${encodeURIComponent(job.groupId)}` as Route}>
                {group.data?.name ?? 'its group'}
              </Link>
            </span>
          </span>
        }
        actions={
          <>
            {job.status === 'paused' ? (
              <Button disabled={control.isPending} onClick={() => control.mutate({ jobId: job.id, action: 'resume' })}>
                Resume
              </Button>
            ) : !isFinal ? (
              <Button disabled={control.isPending} onClick={() => control.mutate({ jobId: job.id, action: 'pause' })}>
                Pause
              </Button>
            ) : null}
            {!isFinal ? (
              <ConfirmDialog
                trigger="Cancel"
                triggerVariant="ghost"
                disabled={control.isPending}
                title="Cancel this job?"
                description="Waiting and running calls stop (calls in flight are aborted). Images already made are kept."
                confirmLabel="Cancel the job"
                onConfirm={() => control.mutate({ jobId: job.id, action: 'cancel' })}
              />
            ) : null}
            <a
              href={downloadHref}
              download
              data-testid="download-zip"
              aria-disabled={job.counts.completed === 0}
              tabIndex={job.counts.completed === 0 ? -1 : undefined}
              className={`${buttonClasses('primary')} ${job.counts.completed === 0 ? 'pointer-events-none opacity-50' : ''}`}
            >
              Download ZIP
            </a>
          </>
        }
      />

      <div className="grid gap-4 lg:grid-cols-3">
        <Card className="flex flex-col gap-4 lg:col-span-2" aria-labelledby="progress-heading">
          <CardTitle id="progress-heading">Progress</CardTitle>
          <ProgressBar fraction={job.progress} label="Job progress" tone={job.status === 'failed' ? 'red' : job.status === 'completed' ? 'emerald' : job.status === 'paused' ? 'amber' : 'violet'} />
          <p aria-live="polite" data-testid="job-progress" className="text-sm text-neutral-300">
            {formatCount(finished)} of {formatCount(job.counts.total)} images done ({formatPercent(job.progress)}) · {formatCount(job.counts.completed)} made
            {job.counts.running > 0 ? ` · ${formatCount(job.counts.running)} running` : ''}
            {job.counts.failed > 0 ? ` · ${job.counts.failed} failed` : ''}
            {job.counts.blocked > 0 ? ` · ${job.counts.blocked} blocked` : ''}
            {job.counts.canceled > 0 ? ` · ${job.counts.canceled} canceled` : ''}
          </p>
          {job.statusReason ? <p className="text-sm text-amber-300">{job.statusReason}</p> : null}
          <dl className="grid grid-cols-2 gap-4 text-sm sm:grid-cols-4">
            <Stat label="Rate" value={job.ratePerMinute > 0 ? `${job.ratePerMinute.toFixed(1)} / min` : '—'} />
            {isFinal && job.finishedAt !== null ? (
              <Stat label="Total time" value={formatDurationSeconds(Math.max(0, Math.round((Date.parse(job.finishedAt) - Date.parse(job.createdAt)) / 1000)))} testId="job-total-time" />
            ) : (
              <Stat label="Time left" value={isFinal ? 'done' : job.etaSeconds === null ? 'estimating…' : formatDurationSeconds(job.etaSeconds)} />
            )}
            <Stat label="Estimated cost" value={formatUsd(job.cost.estimatedUsd)} />
            <Stat label="Spent" value={formatUsd(job.cost.spentUsd)} />
          </dl>
        </Card>
        <Card className="flex flex-col gap-3" aria-labelledby="failures-heading">
          <div className="flex items-center justify-between gap-2">
            <CardTitle id="failures-heading">Failures</CardTitle>
            {job.counts.failed > 0 ? (
              <Button size="small" disabled={control.isPending} onClick={() => control.mutate({ jobId: job.id, action: 'retry-failed' })}>
                Retry failed
              </Button>
            ) : null}
          </div>
          {job.errors.length === 0 ? (
            <p className="text-sm text-neutral-400">No failures.</p>
          ) : (
            <ul className="flex flex-col gap-2 text-sm">
              {job.errors.map((error) => (
                <li key={`${error.code}-${error.message}`} className="rounded-lg bg-neutral-950/60 p-3">
                  <p className="text-neutral-200">{error.message}</p>
                  <p className="text-xs text-neutral-400">
                    {error.taskCount} {error.taskCount === 1 ? 'call' : 'calls'} · {error.status}
                  </p>
                </li>
              ))}
            </ul>
          )}
        </Card>
      </div>

      <JobResults jobId={job.id} groupId={job.groupId} />
    </div>
  );
}

function Stat({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div className="flex flex-col gap-0.5">
      <dt className="text-xs text-neutral-400">{label}</dt>
      <dd className="font-medium tabular-nums" data-testid={testId}>
        {value}
      </dd>
    </div>
  );
}

function JobResults({ jobId, groupId }: { jobId: string; groupId: string }) {
  const queryClient = useQueryClient();
  const [filter, setFilter] = useState<ImageFilter>(emptyImageFilter);
  const settledFilter = useDebouncedValue(filter, 250);
  const query = imageFilterQuery(settledFilter);
  const pages = useImagePages(queryKeys.jobResultsFiltered(jobId, query), `/api/jobs/${encodeURIComponent(jobId)}/results`, query);
  const { mutate: mutateFavorite } = useFavoriteToggle();
  const viewerActions = useViewerActions(groupId);
  const { viewerIndex, setViewerIndex, gridScrollIndex } = useViewerIndex();
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  // Phones have no shift-click and no hover: in select mode a tap selects.
  const [selectMode, setSelectMode] = useState(false);
  const [favouriting, setFavouriting] = useState(false);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = pages;
  const loadMore = useCallback(() => void fetchNextPage(), [fetchNextPage]);
  const toggleFavorite = useCallback((image: ResultImage) => mutateFavorite({ imageId: image.id, favorite: !image.favorite }), [mutateFavorite]);

  // The tiles' callbacks read the latest list and selection through a ref, so memoised tiles keep the same functions.
  const latest = useRef({ images: pages.images, anchorIndex: null as number | null, selectedCount: selected.size, selectMode });
  latest.current = { ...latest.current, images: pages.images, selectedCount: selected.size, selectMode };

  const select = useCallback((index: number, modifiers: Pick<TileModifiers, 'shiftKey'>) => {
    const { images: loaded, anchorIndex } = latest.current;
    setSelected((current) => nextSelection(current, loaded.map((image) => image.id), index, modifiers.shiftKey, anchorIndex));
    latest.current.anchorIndex = index;
  }, []);
  const open = useCallback(
    (index: number, modifiers: TileModifiers) => {
      // With a selection open (or a modifier held) a click selects; otherwise it opens the viewer.
      if (latest.current.selectMode || latest.current.selectedCount > 0 || modifiers.shiftKey || modifiers.metaKey || modifiers.ctrlKey) select(index, modifiers);
      else setViewerIndex(index);
    },
    [select],
  );
  // The same function until the selection changes, so the grid's rows skip re-rendering on scroll.
  const renderTile = useCallback(
    (image: ResultImage, index: number) => <ImageTile image={image} index={index} selected={selected.has(image.id)} onSelect={select} onOpen={open} onToggleFavorite={toggleFavorite} />,
    [selected, select, open, toggleFavorite],
  );
  const toggleSelected = useCallback((index: number) => select(index, noModifiers), [select]);
  const clearSelection = () => {
    setSelected(new Set());
    latest.current.anchorIndex = null;
  };
  const favouriteSelection = async () => {
    setFavouriting(true);
    const ids = [...selected];
    const results = await Promise.allSettled(ids.map((id) => apiRequest<ResultImage>(`/api/images/${encodeURIComponent(id)}`, { method: 'PATCH', body: { favorite: true } })));
    setFavouriting(false);
    await Promise.all([queryClient.invalidateQueries({ queryKey: queryKeys.allJobResults }), queryClient.invalidateQueries({ queryKey: queryKeys.allGroupImages })]);
    const failed = results.filter((result) => result.status === 'rejected').length;
    if (failed > 0) toast.error(`${formatCount(failed)} of ${formatCount(ids.length)} images were not marked as favourites`);
    else toast.success(`${formatCount(ids.length)} ${ids.length === 1 ? 'image is a favourite' : 'images are favourites'}`);
  };
  const download = selectionDownload(groupId, [...selected], null);

  return (
    <section aria-labelledby="results-heading" className="flex flex-col gap-3">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h2 id="results-heading" className="text-lg font-semibold">
          Results <span className="text-sm font-normal text-neutral-400" data-testid="results-count">{pages.total !== undefined ? formatCount(pages.total) : pages.images.length > 0 ? `${formatCount(pages.images.length)}${hasNextPage ? '+' : ''}` : ''}</span>
        </h2>
        <ImageFilterBar filter={filter} onChange={setFilter} />
      </div>
      {pages.images.length > 0 ? (
        <div className="flex flex-wrap items-center gap-2" aria-live="polite">
          <span className="text-sm text-neutral-400" data-testid="selection-count">
            {selected.size > 0 ? `${formatCount(selected.size)} selected` : selectMode ? 'Tap images to select them' : 'Use the checkboxes (shift-click for a range) or Select'}
          </span>
          <Button size="small" variant={selectMode ? 'primary' : 'secondary'} aria-pressed={selectMode} onClick={() => setSelectMode((on) => !on)} data-testid="select-mode">
            Select
          </Button>
          {selected.size > 0 ? (
            <>
              <Button size="small" onClick={() => void favouriteSelection()} disabled={favouriting} data-testid="favourite-selection">
                {favouriting ? 'Marking…' : 'Favourite selection'}
              </Button>
              <Button size="small" variant="ghost" onClick={clearSelection}>
                Clear
              </Button>
            </>
          ) : null}
          <DownloadSelectionButton download={download} />
        </div>
      ) : null}
      {pages.isError ? <p className="text-red-400">{errorMessage(pages.error)}</p> : null}
      {pages.isSuccess && pages.images.length === 0 ? <Card className="text-center text-sm text-neutral-400">No images yet{query.prompt || query.favorite ? ' match the filter' : ''}.</Card> : null}
      {pages.images.length > 0 ? (
        <ImageGridContextMenu images={pages.images} actions={viewerActions} onOpen={setViewerIndex} onToggleFavorite={toggleFavorite} selectedIds={selected} onToggleSelected={toggleSelected}>
          <VirtualImageGrid
            label="Job results"
            items={pages.images}
            hasMore={hasNextPage}
            loadingMore={isFetchingNextPage}
            loadMore={loadMore}
            scrollToIndex={gridScrollIndex}
            renderTile={renderTile}
          />
        </ImageGridContextMenu>
      ) : null}
      <ImageViewer images={pages.images} index={viewerIndex} onIndexChange={setViewerIndex} onToggleFavorite={toggleFavorite} hasMore={hasNextPage} loadMore={loadMore} totalCount={pages.total} actions={viewerActions} />
    </section>
  );
}

'use client';
/**
 * A group's gallery: a virtualised grid of thumbnails (newest first) with filters, multi-select
 * (click with a selection open, shift-click for a range, select all matching the filter), favourites,
 * ZIP downloads of the selection, the favourites or everything, and the full-size viewer.
 */
import { useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useCallback, useMemo, useRef, useState } from 'react';
import { toast } from 'sonner';
import { Button, buttonClasses } from '../../../_components/button.js';
import { Card } from '../../../_components/card.js';
import { emptyImageFilter, ImageFilterBar, imageFilterQuery, type ImageFilter } from '../../../_components/image-filter-bar.js';
import { ImageGridContextMenu } from '../../../_components/image-context-menu.js';
import { ImageTile, noModifiers, type TileModifiers } from '../../../_components/image-tile.js';
import { ImageViewer } from '../../../_components/image-viewer.js';
import { useViewerActions } from '../../../_lib/use-viewer-actions.js';
import { useViewerIndex } from '../../../_lib/use-viewer-index.js';
import { PageHeader } from '../../../_components/page-header.js';
import { VirtualImageGrid } from '../../../_components/virtual-image-grid.js';
import { apiRequest, errorMessage } from '../../../_lib/api-client.js';
import { useGroup, useGroups } from '../../../_lib/api-queries.js';
import type { ResultImage, ResultsPage } from '../../../_lib/api-types.js';
import { formatCount, formatCountOf } from '../../../_lib/format.js';
import { queryKeys } from '../../../_lib/query-keys.js';
import { useDebouncedValue } from '../../../_lib/use-debounced-value.js';
import { useFavoriteToggle } from '../../../_lib/use-favorite-toggle.js';
import { useImagePages } from '../../../_lib/use-image-pages.js';
import { DeleteGroupDialog } from '../../_components/delete-group-dialog.js';
import { RenameGroupDialog } from '../../_components/rename-group-dialog.js';
import { nextSelection } from '../../../_lib/range-selection.js';
import { DownloadSelectionButton } from './download-selection-button.js';
import { selectionDownload } from './selection-download.js';

export function GalleryView({ groupId }: { groupId: string }) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const group = useGroup(groupId);
  const groups = useGroups();
  const [filter, setFilter] = useState<ImageFilter>(emptyImageFilter);
  const settledFilter = useDebouncedValue(filter, 250);
  const query = useMemo(() => imageFilterQuery(settledFilter), [settledFilter]);
  const basePath = `/api/groups/${encodeURIComponent(groupId)}/images`;
  const pages = useImagePages(queryKeys.groupImagesFiltered(groupId, query), basePath, query);
  const { mutate: mutateFavorite } = useFavoriteToggle();
  const viewerActions = useViewerActions(groupId);
  const { viewerIndex, setViewerIndex, gridScrollIndex } = useViewerIndex();
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [anchorIndex, setAnchorIndex] = useState<number | null>(null);
  const [selectAllFilter, setSelectAllFilter] = useState<ImageFilter | null>(null);
  const [selectingAll, setSelectingAll] = useState(false);
  // Phones have no shift-click and no hover: in select mode a tap selects.
  const [selectMode, setSelectMode] = useState(false);
  const { images, hasNextPage, isFetchingNextPage, fetchNextPage } = pages;
  const loadMore = useCallback(() => void fetchNextPage(), [fetchNextPage]);
  const toggleFavorite = useCallback((image: ResultImage) => mutateFavorite({ imageId: image.id, favorite: !image.favorite }), [mutateFavorite]);

  // The tiles' callbacks read the latest list and selection through refs, so they stay the same
  // functions across pages and clicks and memoised tiles do not all re-render.
  const latest = useRef({ images, anchorIndex, selectedCount: selected.size, selectMode });
  latest.current = { images, anchorIndex, selectedCount: selected.size, selectMode };

  const select = useCallback((index: number, event: Pick<TileModifiers, 'shiftKey'>) => {
    const { images: loaded, anchorIndex: anchor } = latest.current;
    setSelectAllFilter(null);
    setSelected((current) => nextSelection(current, loaded.map((image) => image.id), index, event.shiftKey, anchor));
    setAnchorIndex(index);
  }, []);

  const open = useCallback(
    (index: number, event: TileModifiers) => {
      // With a selection open (or a modifier held) a click selects; otherwise it opens the viewer.
      if (latest.current.selectMode || latest.current.selectedCount > 0 || event.shiftKey || event.metaKey || event.ctrlKey) select(index, event);
      else setViewerIndex(index);
    },
    [select],
  );

  // The same function until the selection changes, so the grid's rows skip re-rendering.
  const renderTile = useCallback(
    (image: ResultImage, index: number) => <ImageTile image={image} index={index} selected={selected.has(image.id)} onSelect={select} onOpen={open} onToggleFavorite={toggleFavorite} />,
    [selected, select, open, toggleFavorite],
  );
  const toggleSelected = useCallback((index: number) => select(index, noModifiers), [select]);

  /** Selects every image matching the current filter, reading the ids page by page (500 at a time). */
  const selectAll = async () => {
    // The filter as typed, not as last fetched: "select all" right after typing means the new filter.
    const current = filter;
    const currentQuery = imageFilterQuery(current);
    setSelectingAll(true);
    try {
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const parameters = new URLSearchParams({ ...currentQuery, limit: '500' });
        if (cursor !== null) parameters.set('cursor', cursor);
        const page: ResultsPage = await apiRequest<ResultsPage>(`${basePath}?${parameters.toString()}`);
        ids.push(...page.items.map((image) => image.id));
        cursor = page.nextCursor;
      } while (cursor !== null);
      setSelected(new Set(ids));
      setSelectAllFilter(current);
    } catch (error) {
      toast.error(`Could not select all images. ${errorMessage(error)}`);
    } finally {
      setSelectingAll(false);
    }
  };

  const clearSelection = () => {
    setSelected(new Set());
    setSelectAllFilter(null);
    setAnchorIndex(null);
  };

  const download = selectionDownload(groupId, [...selected], selectAllFilter);
  const downloadBase = `/api/download/${encodeURIComponent(groupId)}`;

  if (group.isError) {
    return (
      <Card className="mx-auto max-w-xl text-center">
        <p className="text-red-400">{errorMessage(group.error)}</p>
        <Link href={'/groups'} className="mt-3 inline-block text-violet-300 underline">
          All groups
        </Link>
      </Card>
    );
  }

  return (
    <div className="mx-auto flex max-w-7xl flex-col gap-4">
      <PageHeader
        title={group.data?.name ?? 'Group'}
        description={group.data ? `${formatCountOf(group.data.imageCount, 'image')} from ${formatCountOf(group.data.jobCount, 'job')}` : undefined}
        actions={
          group.data ? (
            <>
              <a href={downloadBase} download className={buttonClasses('secondary')} data-testid="download-group">
                Download all
              </a>
              <a href={`${downloadBase}?favorites=1`} download className={buttonClasses('ghost')}>
                Download favourites
              </a>
              <RenameGroupDialog group={group.data} />
              <DeleteGroupDialog
                group={group.data}
                groups={groups.data?.items ?? []}
                onDeleted={() => {
                  void queryClient.removeQueries({ queryKey: queryKeys.group(groupId) });
                  router.push('/groups');
                }}
              />
            </>
          ) : null
        }
      />
      <div className="flex flex-wrap items-center justify-between gap-3">
        <ImageFilterBar
          filter={filter}
          onChange={(next) => {
            setFilter(next);
            setAnchorIndex(null);
          }}
        />
        <div className="flex flex-wrap items-center gap-2" aria-live="polite">
          <span className="text-sm text-neutral-400" data-testid="selection-count">
            {selected.size > 0 ? `${formatCount(selected.size)} selected` : selectMode ? 'Tap images to select them' : 'Use the checkboxes (shift-click for a range) or Select'}
          </span>
          <Button size="small" variant={selectMode ? 'primary' : 'secondary'} aria-pressed={selectMode} onClick={() => setSelectMode((on) => !on)} data-testid="select-mode">
            Select
          </Button>
          <Button size="small" onClick={() => void selectAll()} disabled={selectingAll}>
            {selectingAll ? 'Selecting…' : 'Select all'}
          </Button>
          {selected.size > 0 ? (
            <Button size="small" variant="ghost" onClick={clearSelection}>
              Clear
            </Button>
          ) : null}
          <DownloadSelectionButton download={download} />
        </div>
      </div>
      {pages.isError ? <p className="text-red-400">{errorMessage(pages.error)}</p> : null}
      {pages.isSuccess && images.length === 0 ? <Card className="text-center text-sm text-neutral-400">No images{Object.keys(query).length > 0 ? ' match the filter' : ' in this group yet'}.</Card> : null}
      {images.length > 0 ? (
        <ImageGridContextMenu images={images} actions={viewerActions} onOpen={setViewerIndex} onToggleFavorite={toggleFavorite} selectedIds={selected} onToggleSelected={toggleSelected}>
          <VirtualImageGrid
            label="Gallery"
            items={images}
            hasMore={hasNextPage}
            loadingMore={isFetchingNextPage}
            loadMore={loadMore}
            scrollToIndex={gridScrollIndex}
            renderTile={renderTile}
          />
        </ImageGridContextMenu>
      ) : null}
      <ImageViewer images={images} index={viewerIndex} onIndexChange={setViewerIndex} onToggleFavorite={toggleFavorite} hasMore={hasNextPage} loadMore={loadMore} totalCount={pages.total} actions={viewerActions} />
    </div>
  );
}

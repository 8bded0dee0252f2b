'use client';
/**
 * The studio (Semi-Automatic mode): the composer on the left, the queue and the feed of batches on
 * the right (stacked on a phone). Owns what the parts share: remembered settings, the drafts, the
 * feed's jobs, the selection and the viewers.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { toast } from 'sonner';
import { apiRequest, errorMessage } from '../../_lib/api-client.js';
import type { Asset, JobList, ResultImage, SubmitResponse, TaskList } from '../../_lib/api-types.js';
import { useLiveEvents } from '../../_lib/live-events.js';
import { CompareDialog } from './compare-dialog.js';
import { ComposerPanel } from './composer-panel.js';
import { withPrompt, withReference, withSeed, withSettings } from './composer-changes.js';
import { moveDraft, useGroupDrafts } from './group-drafts.js';
import { FeedContext, type FeedContextValue, type FeedDensity, type FeedFilter } from './feed-context.js';
import { emptyFeedFilter, isFiltered, type FeedPeriod } from './feed-filter.js';
import { Icon } from '../../_components/icons.js';
import type { FeedJobInfo } from './feed-image.js';
import { FeedJobSection } from './feed-job-section.js';
import { feedJobsStorageKey, restoreFeedJobs, withFeedJob, type FeedJob } from './feed-jobs.js';
import { ImageViewer, type ViewerActions } from '../../_components/image-viewer.js';
import { Button } from '../../_components/button.js';
import { ShortcutsDialog } from './shortcuts-dialog.js';
import { QueuePanel } from './queue-panel.js';
import { SelectionBar } from './selection-bar.js';
import { defaultPreferences, preferencesStorageKey, restorePreferences, type StudioPreferences } from './studio-preferences.js';
import { studioQueryKeys, useGroupStudioJobs, useGroups, useProviders } from './studio-queries.js';
import { TaskProgressProvider } from './task-progress.js';
import { useImageActions } from './use-image-actions.js';
import { useStoredState } from './use-stored-state.js';

const sizeOrder = ['512', '1K', '2K', '4K'];
const noFeedJobs: FeedJob[] = [];
const noop = () => undefined;

export function StudioScreen() {
  const queryClient = useQueryClient();
  const providers = useProviders();
  const groups = useGroups();
  const [preferences, setPreferences, preferencesLoaded] = useStoredState<StudioPreferences>(preferencesStorageKey, defaultPreferences, restorePreferences);
  const [feedJobs, setFeedJobs] = useStoredState<FeedJob[]>(feedJobsStorageKey, noFeedJobs, restoreFeedJobs);
  const groupJobs = useGroupStudioJobs(preferences.groupId);
  const [drafts, setDrafts] = useGroupDrafts(preferences.groupId, preferencesLoaded);
  const [selected, setSelectedImages] = useState<ReadonlyMap<string, ResultImage>>(new Map());
  const [viewing, setViewing] = useState<{ image: ResultImage; job: FeedJobInfo; images: readonly ResultImage[] } | null>(null);
  const [selectMode, setSelectMode] = useState(false);
  const [density, setDensity] = useStoredState<FeedDensity>('imagefleet.studio.density.v1', 'comfortable', (stored) => (stored === 'compact' || stored === 'comfortable' ? stored : undefined));
  const [feedFilter, setFeedFilter] = useState<FeedFilter>(emptyFeedFilter);
  const [showShortcuts, setShowShortcuts] = useState(false);
  const [varyStrength, setVaryStrength] = useStoredState<FeedContextValue['varyStrength']>('imagefleet.studio.vary.v1', 'seeds', (stored) => (stored === 'seeds' || stored === 'subtle' || stored === 'strong' ? stored : undefined));
  const [comparing, setComparing] = useState(false);
  const composerTop = useRef<HTMLDivElement>(null);

  const onPreferences = useCallback((update: (previous: StudioPreferences) => StudioPreferences) => setPreferences(update), [setPreferences]);
  const onDrafts = setDrafts;

  const addFeedJob = useCallback(
    (job: { jobId: string; groupId: string }) => setFeedJobs((previous) => withFeedJob(previous, { jobId: job.jobId, groupId: job.groupId, addedAtMs: Date.now() })),
    [setFeedJobs],
  );
  const onSubmitted = useCallback(
    (job: SubmitResponse) => {
      addFeedJob({ jobId: job.id, groupId: job.groupId });
      // Submitted without a group: it went to the Default group, which is then the one shown — with the draft.
      setPreferences((previous) => {
        if (previous.groupId !== null) return previous;
        moveDraft(null, job.groupId);
        return { ...previous, groupId: job.groupId };
      });
    },
    [addFeedJob, setPreferences],
  );
  const actions = useImageActions(addFeedJob);

  // A toast when a whole batch of the feed is done (it replaces the app's generic one for this job).
  const feedJobIds = useMemo(() => new Set(feedJobs.map((job) => job.jobId)), [feedJobs]);
  useLiveEvents((event) => {
    if (event.type !== 'job.finished' || event.jobId === null || !feedJobIds.has(event.jobId)) return;
    const jobId = event.jobId;
    const status = typeof event.payload.status === 'string' ? event.payload.status : 'finished';
    const list = queryClient.getQueryData<TaskList>(studioQueryKeys.jobTasks(jobId));
    // Canceled and failed sets made nothing; the others are done now, even if the cached list lags.
    const images = list?.items.filter((task) => task.status === 'completed' || task.status === 'queued' || task.status === 'running').reduce((sum, task) => sum + task.imageCount, 0);
    const name = list ? `“${list.job.name}”` : 'A batch';
    setTimeout(() => {
      const text = status === 'completed' ? `Batch done: ${images === undefined ? '' : `${images} ${images === 1 ? 'image' : 'images'} · `}${name}` : `${name} ${status}`;
      (status === 'completed' ? toast.success : status === 'failed' ? toast.error : toast.info)(text, { id: `job-finished-${jobId}`, description: 'In the studio feed.' });
    }, 0);
  });

  const setSelected = useCallback((images: readonly ResultImage[], on: boolean) => {
    setSelectedImages((previous) => {
      const next = new Map(previous);
      for (const image of images) {
        if (on) next.set(image.id, image);
        else next.delete(image.id);
      }
      return next;
    });
  }, []);

  // What the composer held before a "use …" action, for its Undo.
  const latestComposer = useRef({ preferences, drafts });
  latestComposer.current = { preferences, drafts };
  const offerUndo = useCallback(
    (message: string) => {
      const before = latestComposer.current;
      toast.info(message, {
        action: {
          label: 'Undo',
          onClick: () => {
            setPreferences(before.preferences);
            setDrafts(() => before.drafts);
          },
        },
      });
    },
    [setPreferences, setDrafts],
  );

  const applySeed = useCallback(
    (image: ResultImage) => {
      if (image.seed === null) {
        toast.info('This image has no seed (its model does not take seeds).');
        return;
      }
      offerUndo(`Seed ${image.seed} is in the composer; references and prompts are unchanged.`);
      const seed = image.seed;
      setPreferences((previous) => withSeed(previous, seed));
    },
    [offerUndo, setPreferences],
  );

  const makeReference = useCallback(
    async (image: Pick<ResultImage, 'id'>) => {
      try {
        const asset = await apiRequest<Asset>(`/api/images/${encodeURIComponent(image.id)}/reference`, { method: 'POST' });
        offerUndo('The image is a reference in the composer.');
        setDrafts((previous) => withReference(previous, asset));
        composerTop.current?.scrollIntoView({ behavior: 'smooth', block: 'start' });
      } catch (error) {
        toast.error('The image could not be used as a reference', { description: errorMessage(error) });
      }
    },
    [offerUndo, setDrafts],
  );

  const recallSettings = useCallback(
    (image: ResultImage, job: FeedJobInfo) => {
      offerUndo(`Model, settings${image.seed === null ? '' : ` and seed ${image.seed}`} are in the composer; references and prompts are unchanged.`);
      setPreferences((previous) => withSettings(previous, image, job));
    },
    [offerUndo, setPreferences],
  );

  const addPrompt = useCallback(
    (image: ResultImage) => {
      offerUndo('The prompt was added to the composer.');
      setDrafts((previous) => withPrompt(previous, image));
      composerTop.current?.scrollIntoView({ behavior: 'smooth', block: 'start' });
    },
    [offerUndo, setDrafts],
  );

  // The viewer keeps the list it was opened with; marks made in it show there at once.
  const patchViewed = useCallback((imageId: string, change: Partial<ResultImage>) => {
    setViewing((current) => {
      if (current === null) return null;
      const images = current.images.map((candidate) => (candidate.id === imageId ? { ...candidate, ...change } : candidate));
      return { ...current, images, image: images.find((candidate) => candidate.id === current.image.id) ?? current.image };
    });
  }, []);

  // "?" lists the shortcuts, wherever the focus is except in a text field.
  useEffect(() => {
    const onKeyDown = (event: globalThis.KeyboardEvent) => {
      if (event.key !== '?' || event.ctrlKey || event.metaKey || event.altKey) return;
      const target = event.target as HTMLElement | null;
      if (target?.closest('input, textarea, select, [contenteditable="true"]')) return;
      event.preventDefault();
      setShowShortcuts(true);
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);

  const providerItems = providers.data?.items;
  const upscaleSizesFor = useCallback(
    (job: FeedJobInfo) => {
      const model = providerItems?.find((provider) => provider.id === job.provider)?.models.find((candidate) => candidate.id === job.model);
      if (!model) return [];
      return sizeOrder.filter((size) => sizeOrder.indexOf(size) > sizeOrder.indexOf(job.settings.size) && model.sizes.includes(size));
    },
    [providerItems],
  );

  const feedContext = useMemo<FeedContextValue>(
    () => ({
      actions,
      selectedIds: new Set(selected.keys()),
      setSelected,
      selectMode,
      density,
      filter: feedFilter,
      openViewer: (image, job, siblings) => setViewing({ image, job, images: siblings && siblings.some((sibling) => sibling.id === image.id) ? siblings : [image] }),
      applySeed,
      recallSettings,
      addPrompt,
      useAsReference: (image) => void makeReference(image),
      upscaleSizesFor,
      varyStrength,
    }),
    [actions, selected, setSelected, selectMode, density, feedFilter, applySeed, recallSettings, addPrompt, makeReference, upscaleSizesFor, varyStrength],
  );

  const viewedJob = viewing?.job;
  const viewerActions = useMemo<ViewerActions | undefined>(
    () =>
      viewedJob === undefined
        ? undefined
        : {
            reroll: (image) => void actions.reroll(image),
            regenerateWithSeed: (image) => void actions.regenerateWithSeed(image),
            variations: (image, strength) => void actions.variations(image, strength),
            upscaleSizes: () => upscaleSizesFor(viewedJob),
            upscale: (image, size) => void actions.upscale(image, size),
            setDiscarded: (image, discarded) => {
              void actions.setDiscarded(image, discarded);
              patchViewed(image.id, { discarded });
            },
            useSeed: applySeed,
            usePrompt: addPrompt,
            useAsReference: (image) => void makeReference(image),
            recallSettings: (image) => recallSettings(image, viewedJob),
          },
    [viewedJob, actions, upscaleSizesFor, patchViewed, applySeed, addPrompt, makeReference, recallSettings],
  );

  const provider = providerItems?.find((candidate) => candidate.id === preferences.providerId);
  const model = provider?.models.find((candidate) => candidate.id === preferences.modelId) ?? provider?.models[0];
  const shownJobs = mergeFeedJobs(
    feedJobs.filter((job) => preferences.groupId === null || job.groupId === preferences.groupId),
    groupJobs.data?.items ?? [],
  );
  const groupName = groups.data?.items.find((group) => group.id === preferences.groupId)?.name;
  const selectedImages = [...selected.values()];

  return (
    <TaskProgressProvider>
      <FeedContext.Provider value={feedContext}>
        <div className="mx-auto grid w-full max-w-[1600px] gap-4 lg:grid-cols-[400px_minmax(0,1fr)]">
          <aside className="flex flex-col gap-4 lg:sticky lg:top-0 lg:max-h-screen lg:overflow-y-auto lg:pb-8 lg:pr-1" aria-label="Composer">
            <div ref={composerTop} className="flex items-baseline justify-between gap-2 pt-1">
              <h1 className="text-2xl font-semibold tracking-tight">Studio</h1>
              <span className="text-xs text-neutral-400">semi-automatic</span>
            </div>
            <ComposerPanel
              preferences={preferences}
              onPreferences={onPreferences}
              drafts={drafts}
              onDrafts={onDrafts}
              providers={providers.data}
              onSubmitted={onSubmitted}
              onDropImage={(imageId) => void makeReference({ id: imageId })}
            />
          </aside>
          <section className="flex min-w-0 flex-col gap-4" aria-label="Results">
            <QueuePanel provider={provider} model={model} batchSize={preferences.batchSize} />
            <SelectionBar
              groupId={preferences.groupId}
              selected={selectedImages}
              onFavourite={() => {
                for (const image of selectedImages) void actions.setFavourite(image, true);
              }}
              onCompare={() => setComparing(true)}
              onClear={() => setSelectedImages(new Map())}
            />
            <div className="flex flex-wrap items-baseline justify-between gap-2">
              <h2 className="text-xs font-medium uppercase tracking-wide text-neutral-400">{groupName ? `Feed · ${groupName}` : 'Feed'}</h2>
              <div className="flex flex-wrap items-center justify-end gap-2">
                <label className="sr-only" htmlFor="feed-filter-text">
                  Prompt, file name or seed
                </label>
                <input
                  id="feed-filter-text"
                  type="search"
                  placeholder="Filter prompt, file, seed…"
                  value={feedFilter.text}
                  onChange={(event) => setFeedFilter((current) => ({ ...current, text: event.target.value }))}
                  className="h-8 w-40 rounded-md border border-neutral-700 bg-neutral-900 px-2 text-xs focus-visible:outline-2 focus-visible:outline-violet-400"
                  data-testid="feed-filter-text"
                />
                <label className="sr-only" htmlFor="feed-filter-reference">
                  Reference file name
                </label>
                <input
                  id="feed-filter-reference"
                  type="search"
                  placeholder="Reference file…"
                  value={feedFilter.reference}
                  onChange={(event) => setFeedFilter((current) => ({ ...current, reference: event.target.value }))}
                  className="h-8 w-32 rounded-md border border-neutral-700 bg-neutral-900 px-2 text-xs focus-visible:outline-2 focus-visible:outline-violet-400"
                  data-testid="feed-filter-reference"
                />
                <label className="sr-only" htmlFor="feed-filter-period">
                  Made
                </label>
                <select
                  id="feed-filter-period"
                  value={feedFilter.period}
                  onChange={(event) => setFeedFilter((current) => ({ ...current, period: event.target.value as FeedPeriod }))}
                  className="h-8 rounded-md border border-neutral-700 bg-neutral-900 px-2 text-xs"
                  data-testid="feed-filter-period"
                >
                  <option value="all">Any time</option>
                  <option value="today">Today</option>
                  <option value="week">Last 7 days</option>
                  <option value="range">Between dates…</option>
                </select>
                {feedFilter.period === 'range' ? (
                  <>
                    <label className="flex items-center gap-1 text-xs text-neutral-300">
                      From
                      <input type="date" value={feedFilter.from} max={feedFilter.to || undefined} onChange={(event) => setFeedFilter((current) => ({ ...current, from: event.target.value }))} className="h-8 rounded-md border border-neutral-700 bg-neutral-900 px-1 text-xs [color-scheme:dark]" data-testid="feed-filter-from" />
                    </label>
                    <label className="flex items-center gap-1 text-xs text-neutral-300">
                      to
                      <input type="date" value={feedFilter.to} min={feedFilter.from || undefined} onChange={(event) => setFeedFilter((current) => ({ ...current, to: event.target.value }))} className="h-8 rounded-md border border-neutral-700 bg-neutral-900 px-1 text-xs [color-scheme:dark]" data-testid="feed-filter-to" />
                    </label>
                  </>
                ) : null}
                <Button size="small" variant={feedFilter.favouritesOnly ? 'primary' : 'secondary'} aria-pressed={feedFilter.favouritesOnly} onClick={() => setFeedFilter((current) => ({ ...current, favouritesOnly: !current.favouritesOnly }))}>
                  <Icon name={feedFilter.favouritesOnly ? 'star-filled' : 'star'} /> <span className="ml-1">Favourites</span>
                </Button>
                {isFiltered(feedFilter) ? (
                  <Button size="small" variant="ghost" onClick={() => setFeedFilter(emptyFeedFilter)} data-testid="feed-filter-clear">
                    Clear filters
                  </Button>
                ) : null}
                <label className="sr-only" htmlFor="feed-vary-strength">
                  V buttons make
                </label>
                <select
                  id="feed-vary-strength"
                  value={varyStrength}
                  onChange={(event) => setVaryStrength(event.target.value === 'subtle' || event.target.value === 'strong' ? event.target.value : 'seeds')}
                  className="h-8 rounded-md border border-neutral-700 bg-neutral-900 px-2 text-xs"
                  data-testid="feed-vary-strength"
                  title="What V1…V4 under a set make"
                >
                  <option value="seeds">V: new seeds</option>
                  <option value="subtle">V: vary (subtle)</option>
                  <option value="strong">V: vary (strong)</option>
                </select>
                <label className="sr-only" htmlFor="feed-density">
                  Density
                </label>
                <select id="feed-density" value={density} onChange={(event) => setDensity(event.target.value === 'compact' ? 'compact' : 'comfortable')} className="h-8 rounded-md border border-neutral-700 bg-neutral-900 px-2 text-xs" data-testid="feed-density">
                  <option value="comfortable">Comfortable</option>
                  <option value="compact">Compact</option>
                </select>
                <Button size="small" variant={selectMode ? 'primary' : 'secondary'} aria-pressed={selectMode} onClick={() => setSelectMode((on) => !on)} data-testid="feed-select-mode">
                  Select
                </Button>
                <Button size="small" variant="ghost" onClick={() => setShowShortcuts(true)} aria-keyshortcuts="?" data-testid="show-shortcuts">
                  Shortcuts <kbd className="ml-1 text-xs opacity-70">?</kbd>
                </Button>
              </div>
            </div>
            {shownJobs.length === 0 ? (
              <p className="rounded-lg border border-dashed border-neutral-800 p-8 text-center text-sm text-neutral-400" data-testid="feed-empty">
                Batches you generate here — and the group's Automatic and CLI jobs — appear in this feed, newest first.
              </p>
            ) : (
              <div className="flex flex-col gap-4" data-testid="feed">
                {shownJobs.map((job) => (
                  <FeedJobSection key={job.jobId} jobId={job.jobId} />
                ))}
              </div>
            )}
          </section>
        </div>
        <ImageViewer
          images={viewing?.images ?? []}
          index={viewing ? Math.max(0, viewing.images.findIndex((candidate) => candidate.id === viewing.image.id)) : null}
          onIndexChange={(index) => setViewing((current) => (current === null || index === null ? null : { ...current, image: current.images[index] ?? current.image }))}
          onToggleFavorite={(image) => {
            void actions.setFavourite(image, !image.favorite);
            patchViewed(image.id, { favorite: !image.favorite });
          }}
          hasMore={false}
          loadMore={noop}
          actions={viewerActions}
        />
        <ShortcutsDialog open={showShortcuts} onOpenChange={setShowShortcuts} />
        <CompareDialog images={comparing ? selectedImages.slice(0, 4) : []} open={comparing} onOpenChange={setComparing} />
      </FeedContext.Provider>
    </TaskProgressProvider>
  );
}

/**
 * The feed's jobs: those made in this browser (shown at once, before the server's list has them)
 * and the group's latest studio jobs from the server (made in another browser or through the API),
 * once each, newest first.
 */
function mergeFeedJobs(local: readonly FeedJob[], fromServer: JobList['items']): FeedJob[] {
  const byId = new Map<string, FeedJob>();
  for (const job of fromServer) byId.set(job.id, { jobId: job.id, groupId: job.groupId, addedAtMs: Date.parse(job.createdAt) });
  for (const job of local) if (!byId.has(job.jobId)) byId.set(job.jobId, job);
  return [...byId.values()].sort((left, right) => right.addedAtMs - left.addedAtMs);
}

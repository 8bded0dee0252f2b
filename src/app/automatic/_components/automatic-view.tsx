'use client';
/** Automatic mode: many references × one prompt × variations, from upload to a running job. */
import { useState, useSyncExternalStore } from 'react';
import { PageHeader } from '../../_components/page-header.js';
import { UploadQueue } from '../_lib/upload-queue.js';
import { JobForm } from './job-form.js';
import { UploadPanel } from './upload-panel.js';

export function AutomaticView() {
  const [queue] = useState(() => new UploadQueue());
  const snapshot = useSyncExternalStore(queue.subscribe, queue.getSnapshot, queue.getSnapshot);
  const uploadsBusy = snapshot.counts.queued + snapshot.counts.uploading > 0;
  return (
    <div className="mx-auto flex max-w-5xl flex-col gap-6">
      <PageHeader title="Automatic" description="Every reference image × one prompt × the variations you ask for. Upload a folder or a ZIP of product photos, check the plan and its cost, then generate." />
      <UploadPanel queue={queue} snapshot={snapshot} />
      <JobForm referenceIds={snapshot.assetIds} uploadsBusy={uploadsBusy} />
    </div>
  );
}

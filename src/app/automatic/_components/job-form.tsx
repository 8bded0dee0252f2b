'use client';
/**
 * Step 2 and 3 of Automatic mode: what to make (prompt, variations, provider, model, size, aspect
 * ratio, lane, group — only what the chosen model offers), the plan's summary from a dry run
 * (images, cost per lane, time at the current limits), and Submit, which opens the job page.
 */
import { useMutation, useQuery } from '@tanstack/react-query';
import type { Route } from 'next';
import { useRouter } from 'next/navigation';
import { useEffect, useMemo, useState } from 'react';
import { Button } from '../../_components/button.js';
import { Card, CardTitle } from '../../_components/card.js';
import { FieldError } from '../../_components/field-error.js';
import { apiRequest, errorMessage, isApiError } from '../../_lib/api-client.js';
import { useGroups, useProviders } from '../../_lib/api-queries.js';
import type { DryRunResponse, SubmitAutomaticBody, SubmitResponse } from '../../_lib/api-types.js';
import { formatCount, formatCountOf, formatDurationSeconds, formatUsd } from '../../_lib/format.js';
import { useDebouncedValue } from '../../_lib/use-debounced-value.js';

const newGroupValue = '__new__';
const control = 'h-10 w-full rounded-lg border border-neutral-700 bg-neutral-950 px-3 text-sm text-neutral-100 focus-visible:outline-2 focus-visible:outline-violet-400 aria-[invalid=true]:border-red-500';
const labelClass = 'flex flex-col gap-1.5 text-sm font-medium text-neutral-200';

export function JobForm({ referenceIds, uploadsBusy }: { referenceIds: readonly string[]; uploadsBusy: boolean }) {
  const router = useRouter();
  const providers = useProviders();
  const groups = useGroups();
  const [prompt, setPrompt] = useState('');
  const [variations, setVariations] = useState(1);
  const [providerId, setProviderId] = useState('');
  const [modelId, setModelId] = useState('');
  const [size, setSize] = useState('');
  const [aspectRatio, setAspectRatio] = useState('');
  const [lane, setLane] = useState<'online' | 'batch'>('online');
  const [groupChoice, setGroupChoice] = useState('');
  const [newGroupName, setNewGroupName] = useState('');
  const [webhookUrl, setWebhookUrl] = useState('');
  /** A job whose webhook secret was generated: shown once here instead of navigating away at once. */
  const [createdWithSecret, setCreatedWithSecret] = useState<{ jobId: string; secret: string } | undefined>();

  const configured = useMemo(() => providers.data?.items.filter((provider) => provider.configured) ?? [], [providers.data]);
  const unconfigured = providers.data?.items.filter((provider) => !provider.configured) ?? [];
  const provider = configured.find((candidate) => candidate.id === providerId) ?? configured[0];
  const model = provider?.models.find((candidate) => candidate.id === modelId) ?? provider?.models[0];

  // Keep every choice within what the chosen model offers.
  useEffect(() => {
    if (!model) return;
    if (!model.sizes.includes(size)) setSize(model.sizes.includes('1K') ? '1K' : (model.sizes[0] ?? ''));
    if (!model.aspectRatios.includes(aspectRatio)) setAspectRatio(model.aspectRatios.includes('1:1') ? '1:1' : (model.aspectRatios[0] ?? ''));
    if (!model.lanes.includes(lane)) setLane('online');
  }, [model, size, aspectRatio, lane]);

  const groupField: Pick<SubmitAutomaticBody, 'groupId' | 'groupName'> =
    groupChoice === newGroupValue ? (newGroupName.trim() === '' ? {} : { groupName: newGroupName.trim() }) : groupChoice === '' ? {} : { groupId: groupChoice };
  const body: SubmitAutomaticBody | undefined =
    provider && model && referenceIds.length > 0
      ? {
          mode: 'automatic',
          provider: provider.id,
          model: model.id,
          referenceIds: [...referenceIds],
          prompt,
          variationsPerImage: variations,
          settings: { ...(size ? { size: size as NonNullable<SubmitAutomaticBody['settings']>['size'] } : {}), ...(aspectRatio ? { aspectRatio: aspectRatio as NonNullable<SubmitAutomaticBody['settings']>['aspectRatio'] } : {}) },
          lane,
          ...groupField,
          ...(webhookUrl.trim() === '' ? {} : { webhooks: [{ url: webhookUrl.trim() }] }),
        }
      : undefined;
  const settledBody = useDebouncedValue(body, 300);
  const canPlan = settledBody !== undefined && settledBody.prompt.trim() !== '' && !uploadsBusy;
  const dryRun = useQuery({
    queryKey: ['dry-run', settledBody],
    queryFn: ({ signal }) => apiRequest<DryRunResponse>('/api/jobs/submit?dryRun=1', { method: 'POST', body: settledBody, signal }),
    enabled: canPlan,
    retry: false,
    staleTime: 10_000,
  });
  const submit = useMutation({
    mutationFn: (submission: SubmitAutomaticBody) => apiRequest<SubmitResponse>('/api/jobs/submit', { method: 'POST', body: submission }),
    onSuccess: (job) => {
      const secret = job.webhooks.find((webhook) => webhook.secret !== null)?.secret;
      if (secret) setCreatedWithSecret({ jobId: job.id, secret });
      else router.push(`/jobs/${encodeURIComponent(job.id)}` as Route);
    },
  });

  const problem = submit.error ?? dryRun.error;
  const issue = (path: string) => (isApiError(problem) ? problem.issueFor(path) : undefined);
  const fieldIssues = ['prompt', 'variationsPerImage', 'settings', 'lane', 'groupName', 'groupId', 'provider', 'model', 'referenceIds', 'webhooks.0.url'];
  const generalProblem = problem && !(isApiError(problem) && fieldIssues.some((path) => problem.issueFor(path))) ? errorMessage(problem) : undefined;
  const plan = dryRun.data?.plan;

  return (
    <form
      className="flex flex-col gap-6"
      onSubmit={(event) => {
        event.preventDefault();
        if (body) submit.mutate(body);
      }}
    >
      <Card className="flex flex-col gap-5" aria-labelledby="settings-heading">
        <CardTitle id="settings-heading">2 · What to make</CardTitle>
        {providers.isSuccess && configured.length === 1 && configured[0]?.id === 'local' ? (
          <div className="rounded-lg border border-violet-500/30 bg-violet-500/5 p-3 text-sm text-neutral-300" data-testid="provider-setup-hint">
            Only the <strong>local</strong> provider is set up: it works offline and is clearly not AI (it transforms your references), which is fine for trying
            everything end to end. To generate with a real model:{' '}
            {unconfigured.map((candidate) => (
              <span key={candidate.id} className="block pt-1 text-neutral-400">
                <span className="text-neutral-200">{candidate.displayName}:</span> {candidate.setup}
              </span>
            ))}
          </div>
        ) : null}
        <label className={labelClass}>
          Prompt
          <textarea
            name="prompt"
            required
            rows={3}
            value={prompt}
            onChange={(event) => setPrompt(event.target.value)}
            placeholder="studio packshot on a white background, soft shadow"
            aria-invalid={issue('prompt') ? true : undefined}
            aria-describedby="prompt-error"
            className={`${control} h-auto py-2`}
          />
          <FieldError id="prompt-error" message={issue('prompt')} />
        </label>
        <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
          <label className={labelClass}>
            Variations per image
            <input
              name="variations"
              type="number"
              min={1}
              max={100}
              value={variations}
              onChange={(event) => setVariations(Math.max(1, Math.min(100, Math.round(Number(event.target.value) || 1))))}
              aria-invalid={issue('variationsPerImage') ? true : undefined}
              className={control}
            />
            <FieldError message={issue('variationsPerImage')} />
          </label>
          <label className={labelClass}>
            Provider
            <select name="provider" value={provider?.id ?? ''} onChange={(event) => setProviderId(event.target.value)} className={control}>
              {configured.map((candidate) => (
                <option key={candidate.id} value={candidate.id}>
                  {candidate.displayName}
                  {candidate.pausedReason ? ' (paused)' : ''}
                </option>
              ))}
            </select>
            {provider?.pausedReason ? <p className="text-xs text-amber-300">Paused: {provider.pausedReason}</p> : null}
            <FieldError message={issue('provider')} />
          </label>
          <label className={labelClass}>
            Model
            <select name="model" value={model?.id ?? ''} onChange={(event) => setModelId(event.target.value)} className={control}>
              {provider?.models.map((candidate) => (
                <option key={candidate.id} value={candidate.id}>
                  {candidate.displayName}
                </option>
              ))}
            </select>
            <FieldError message={issue('model')} />
          </label>
          <label className={labelClass}>
            Size
            <select name="size" value={size} onChange={(event) => setSize(event.target.value)} className={control}>
              {model?.sizes.map((candidate) => (
                <option key={candidate} value={candidate}>
                  {candidate}
                </option>
              ))}
            </select>
            <FieldError message={issue('settings.size')} />
          </label>
          <label className={labelClass}>
            Aspect ratio
            <select name="aspectRatio" value={aspectRatio} onChange={(event) => setAspectRatio(event.target.value)} className={control}>
              {model?.aspectRatios.map((candidate) => (
                <option key={candidate} value={candidate}>
                  {candidate}
                </option>
              ))}
            </select>
            <FieldError message={issue('settings.aspectRatio')} />
          </label>
          <div className={labelClass}>
            <span id="group-label">Group</span>
            <select name="group" aria-labelledby="group-label" value={groupChoice} onChange={(event) => setGroupChoice(event.target.value)} className={control}>
              <option value="">Default</option>
              {groups.data?.items
                .filter((group) => group.name !== 'Default')
                .map((group) => (
                  <option key={group.id} value={group.id}>
                    {group.name}
                  </option>
                ))}
              <option value={newGroupValue}>New group…</option>
            </select>
            {groupChoice === newGroupValue ? (
              <input
                name="groupName"
                aria-label="New group name"
                placeholder="Spring catalogue"
                value={newGroupName}
                maxLength={100}
                onChange={(event) => setNewGroupName(event.target.value)}
                aria-invalid={issue('groupName') ? true : undefined}
                className={control}
              />
            ) : null}
            <FieldError message={issue('groupName') ?? issue('groupId')} />
          </div>
        </div>
        <label className={labelClass}>
          Webhook URL (optional)
          <input
            name="webhookUrl"
            type="url"
            placeholder="https://example.com/hooks/imagefleet — told when the job completes, fails, is canceled or paused"
            value={webhookUrl}
            onChange={(event) => setWebhookUrl(event.target.value)}
            aria-invalid={issue('webhooks.0.url') ? true : undefined}
            className={control}
          />
          <FieldError message={issue('webhooks.0.url')} />
        </label>
        {model && model.lanes.includes('batch') ? (
          <fieldset className="flex flex-col gap-2">
            <legend className="mb-1 text-sm font-medium text-neutral-200">Lane</legend>
            <div className="grid gap-2 sm:grid-cols-2">
              {(
                [
                  ['online', 'Standard', 'Runs now, at the model’s normal price.'],
                  ['batch', 'Economy', 'The provider’s batch lane: half the price, results within 24 hours.'],
                ] as const
              ).map(([value, title, text]) => (
                <label key={value} className={`flex cursor-pointer gap-3 rounded-lg border p-3 text-sm ${lane === value ? 'border-violet-500 bg-violet-500/10' : 'border-neutral-700'}`}>
                  <input type="radio" name="lane" value={value} checked={lane === value} onChange={() => setLane(value)} className="mt-0.5 accent-violet-500" />
                  <span>
                    <span className="font-medium">{title}</span>
                    <span className="block text-neutral-400">{text}</span>
                  </span>
                </label>
              ))}
            </div>
            <FieldError message={issue('lane')} />
          </fieldset>
        ) : null}
      </Card>

      <Card className="flex flex-col gap-4" aria-labelledby="summary-heading">
        <CardTitle id="summary-heading">3 · Summary</CardTitle>
        <div aria-live="polite" data-testid="plan-summary" className="flex flex-col gap-3">
          {referenceIds.length === 0 ? (
            <p className="text-sm text-neutral-400">Add reference images to see what the job makes and costs.</p>
          ) : prompt.trim() === '' ? (
            <p className="text-sm text-neutral-400">Write a prompt to see the plan.</p>
          ) : uploadsBusy ? (
            <p className="text-sm text-neutral-400">Waiting for the uploads to finish…</p>
          ) : plan ? (
            <>
              <dl className="grid grid-cols-2 gap-4 sm:grid-cols-4">
                <div>
                  <dt className="text-xs text-neutral-400">Images to generate</dt>
                  <dd className="text-2xl font-semibold tabular-nums" data-testid="plan-images">
                    {formatCount(plan.images)}
                  </dd>
                </div>
                {Object.entries(plan.estimate.costUsdByLane).map(([laneName, cost]) => (
                  <div key={laneName}>
                    <dt className="text-xs text-neutral-400">{laneName === 'batch' ? 'Cost, Economy' : 'Cost, Standard'}</dt>
                    <dd className={`text-2xl font-semibold tabular-nums ${laneName === lane ? 'text-violet-200' : 'text-neutral-400'}`}>{formatUsd(cost)}</dd>
                  </div>
                ))}
                <div>
                  <dt className="text-xs text-neutral-400">Estimated time</dt>
                  <dd className="text-2xl font-semibold tabular-nums" data-testid="plan-duration" data-seconds={plan.estimate.durationSeconds}>
                    {formatDurationSeconds(plan.estimate.durationSeconds)}
                  </dd>
                </div>
              </dl>
              <p className="text-xs text-neutral-400">{plan.estimate.assumptions}</p>
              {plan.skippedTasks > 0 ? <p className="text-sm text-neutral-400">{plan.skippedTasks} calls are skipped: the same calls completed before.</p> : null}
              {plan.warnings.map((warning) => (
                <p key={warning} className="text-sm text-amber-300">
                  {warning}
                </p>
              ))}
            </>
          ) : dryRun.isFetching ? (
            <p className="text-sm text-neutral-400">Planning…</p>
          ) : null}
          <FieldError message={generalProblem} />
        </div>
        {createdWithSecret ? (
          <div className="rounded-lg border border-violet-500/30 bg-violet-500/5 p-3 text-sm text-neutral-300" role="status" data-testid="webhook-secret">
            The job is queued. Its webhook signing secret, shown only now: <code className="break-all font-mono text-neutral-100">{createdWithSecret.secret}</code>{' '}
            <a className="text-violet-300 underline" href={`/jobs/${encodeURIComponent(createdWithSecret.jobId)}`}>
              Open the job
            </a>
          </div>
        ) : null}
        <div className="flex flex-wrap items-center justify-end gap-3">
          <Button type="submit" variant="primary" disabled={!body || prompt.trim() === '' || uploadsBusy || submit.isPending || submit.isSuccess}>
            {submit.isPending || submit.isSuccess ? 'Submitting…' : plan ? `Generate ${formatCountOf(plan.images, 'image')}` : 'Generate'}
          </Button>
        </div>
      </Card>
    </form>
  );
}

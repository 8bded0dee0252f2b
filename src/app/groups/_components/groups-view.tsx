'use client';
/** Every group with its counts: create, rename, delete, open its gallery. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Route } from 'next';
import Link from 'next/link';
import { useState } from 'react';
import { Button } from '../../_components/button.js';
import { Card } from '../../_components/card.js';
import { FieldError } from '../../_components/field-error.js';
import { PageHeader } from '../../_components/page-header.js';
import { apiRequest, errorMessage, isApiError } from '../../_lib/api-client.js';
import { useGroups } from '../../_lib/api-queries.js';
import type { Group } from '../../_lib/api-types.js';
import { formatCountOf, formatTime } from '../../_lib/format.js';
import { queryKeys } from '../../_lib/query-keys.js';
import { DeleteGroupDialog } from './delete-group-dialog.js';
import { RenameGroupDialog } from './rename-group-dialog.js';

export function GroupsView() {
  const groups = useGroups();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const create = useMutation({
    mutationFn: (value: string) => apiRequest<Group>('/api/groups', { method: 'POST', body: { name: value } }),
    onSuccess: () => {
      setName('');
      void queryClient.invalidateQueries({ queryKey: queryKeys.groups });
    },
  });
  const items = groups.data?.items ?? [];
  return (
    <div className="mx-auto flex max-w-6xl flex-col gap-6">
      <PageHeader title="Groups" description="Folders of results. Every job puts its images in one group; open a group to browse, mark favourites and download." />
      <Card>
        <form
          className="flex flex-col gap-2 sm:flex-row sm:items-start"
          onSubmit={(event) => {
            event.preventDefault();
            create.mutate(name.trim());
          }}
        >
          <label className="sr-only" htmlFor="new-group-name">
            New group name
          </label>
          <div className="flex flex-1 flex-col gap-1">
            <input
              id="new-group-name"
              value={name}
              maxLength={100}
              onChange={(event) => setName(event.target.value)}
              placeholder="New group name, e.g. Spring catalogue"
              aria-invalid={create.isError ? true : undefined}
              aria-describedby="new-group-error"
              className="h-10 rounded-lg border border-neutral-700 bg-neutral-950 px-3 text-sm focus-visible:outline-2 focus-visible:outline-violet-400"
            />
            <FieldError id="new-group-error" message={create.error ? (isApiError(create.error) ? (create.error.issueFor('name') ?? create.error.message) : errorMessage(create.error)) : undefined} />
          </div>
          <Button type="submit" variant="primary" disabled={create.isPending || name.trim() === ''}>
            Create group
          </Button>
        </form>
      </Card>
      {groups.isError ? <p className="text-red-400">{errorMessage(groups.error)}</p> : null}
      <ul className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
        {items.map((group) => (
          <li key={group.id} data-testid="group-card">
            <Card className="flex h-full flex-col gap-3">
              <Link href={`/groups/${encodeURIComponent(group.id)}` as Route} className="truncate text-lg font-semibold hover:text-violet-200 focus-visible:outline-2 focus-visible:outline-violet-400">
                {group.name}
              </Link>
              <p className="text-sm text-neutral-400">
                {formatCountOf(group.imageCount, 'image')} · {formatCountOf(group.jobCount, 'job')}
              </p>
              <p className="text-xs text-neutral-400">Updated {formatTime(group.updatedAt)}</p>
              <div className="mt-auto flex gap-1">
                <RenameGroupDialog group={group} />
                <DeleteGroupDialog group={group} groups={items} />
              </div>
            </Card>
          </li>
        ))}
      </ul>
    </div>
  );
}

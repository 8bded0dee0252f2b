'use client';
/** Picks the group (results folder) the batch goes to, or creates one inline. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { apiRequest, errorMessage, isApiError } from '../../_lib/api-client.js';
import type { Group } from '../../_lib/api-types.js';
import { queryKeys } from '../../_lib/query-keys.js';
import { useGroups } from './studio-queries.js';

export function GroupPicker({ groupId, onChange }: { groupId: string | null; onChange: (groupId: string) => void }) {
  const groups = useGroups();
  const queryClient = useQueryClient();
  const [creating, setCreating] = useState(false);
  const [name, setName] = useState('');
  const create = useMutation({
    mutationFn: (groupName: string) => apiRequest<Group>('/api/groups', { method: 'POST', body: { name: groupName } }),
    onSuccess: async (group) => {
      await queryClient.invalidateQueries({ queryKey: queryKeys.groups });
      onChange(group.id);
      setCreating(false);
      setName('');
    },
  });
  const items = groups.data?.items ?? [];

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (name.trim() !== '') create.mutate(name.trim());
  };

  return (
    <div className="flex flex-col gap-2">
      <label htmlFor="studio-group" className="text-xs font-medium uppercase tracking-wide text-neutral-400">
        Group
      </label>
      <div className="flex gap-2">
        <select
          id="studio-group"
          data-testid="group-select"
          className="min-w-0 flex-1 rounded-md border border-neutral-700 bg-neutral-900 px-2 py-1.5 text-sm"
          value={groupId ?? ''}
          onChange={(event) => onChange(event.target.value)}
        >
          <option value="" disabled>
            {groups.isPending ? 'Loading groups…' : 'Choose a group'}
          </option>
          {items.map((group) => (
            <option key={group.id} value={group.id}>
              {group.name} ({group.imageCount})
            </option>
          ))}
        </select>
        <button type="button" className="rounded-md border border-neutral-700 px-2 py-1.5 text-sm hover:bg-neutral-800" onClick={() => setCreating((open) => !open)} aria-expanded={creating}>
          New group
        </button>
      </div>
      {creating ? (
        <form onSubmit={submit} className="flex flex-col gap-1">
          <div className="flex gap-2">
            <input
              aria-label="New group name"
              data-testid="new-group-name"
              className="min-w-0 flex-1 rounded-md border border-neutral-700 bg-neutral-900 px-2 py-1.5 text-sm"
              value={name}
              maxLength={100}
              autoFocus
              placeholder="e.g. Spring catalogue"
              onChange={(event) => setName(event.target.value)}
            />
            <button type="submit" className="rounded-md bg-sky-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-500 disabled:opacity-50" disabled={name.trim() === '' || create.isPending}>
              Create
            </button>
          </div>
          {create.isError ? (
            <p role="alert" className="text-xs text-rose-400">
              {isApiError(create.error) ? (create.error.issueFor('name') ?? create.error.message) : errorMessage(create.error)}
            </p>
          ) : null}
        </form>
      ) : null}
    </div>
  );
}

'use client';
/**
 * Deleting a group (a Radix dialog): an empty one goes at once; a group with images asks what to
 * do with them — move them to another group, or delete them with their files — as the API offers.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Dialog } from 'radix-ui';
import { useState } from 'react';
import { Button, buttonClasses } from '../../_components/button.js';
import { FieldError } from '../../_components/field-error.js';
import { apiRequest, errorMessage, isApiError } from '../../_lib/api-client.js';
import type { Group, GroupDeletion } from '../../_lib/api-types.js';
import { formatCountOf } from '../../_lib/format.js';
import { queryKeys } from '../../_lib/query-keys.js';

export function DeleteGroupDialog({ group, groups, onDeleted }: { group: Group; groups: readonly Group[]; onDeleted?: () => void }) {
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const empty = group.jobCount === 0 && group.imageCount === 0;
  const targets = groups.filter((candidate) => candidate.id !== group.id);
  // The group list may arrive after this mounts: until the user picks, default to the first other group.
  const [pickedChoice, setChoice] = useState<'move' | 'delete' | null>(null);
  const [pickedTargetId, setTargetId] = useState<string | null>(null);
  const choice = pickedChoice ?? (targets.length > 0 ? 'move' : 'delete');
  const targetId = pickedTargetId !== null && targets.some((target) => target.id === pickedTargetId) ? pickedTargetId : (targets[0]?.id ?? '');
  const remove = useMutation({
    mutationFn: () => {
      const query = empty ? '' : choice === 'move' ? `?images=move&to=${encodeURIComponent(targetId)}` : '?images=delete';
      return apiRequest<GroupDeletion>(`/api/groups/${encodeURIComponent(group.id)}${query}`, { method: 'DELETE' });
    },
    onSuccess: () => {
      setOpen(false);
      void queryClient.invalidateQueries({ queryKey: queryKeys.groups });
      void queryClient.invalidateQueries({ queryKey: queryKeys.allGroupImages });
      onDeleted?.();
    },
  });
  const error = remove.error;
  return (
    <Dialog.Root
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (!next) remove.reset();
      }}
    >
      <Dialog.Trigger className={buttonClasses('ghost', 'small')} aria-label={`Delete ${group.name}`}>
        Delete
      </Dialog.Trigger>
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 z-40 bg-black/70" />
        <Dialog.Content className="fixed left-1/2 top-1/2 z-50 flex w-[min(30rem,calc(100vw-2rem))] -translate-x-1/2 -translate-y-1/2 flex-col gap-4 rounded-xl border border-neutral-800 bg-neutral-900 p-6 shadow-2xl">
          <Dialog.Title className="text-lg font-semibold">Delete “{group.name}”?</Dialog.Title>
          <Dialog.Description className="text-sm text-neutral-400">
            {empty
              ? 'The group is empty; nothing else changes.'
              : `It holds ${formatCountOf(group.imageCount, 'image')} from ${formatCountOf(group.jobCount, 'job')}. Choose what happens to them.`}
          </Dialog.Description>
          {!empty ? (
            <fieldset className="flex flex-col gap-2 text-sm">
              <legend className="sr-only">What to do with its images</legend>
              <label className={`flex gap-3 rounded-lg border p-3 ${choice === 'move' ? 'border-violet-500 bg-violet-500/10' : 'border-neutral-700'} ${targets.length === 0 ? 'opacity-50' : ''}`}>
                <input type="radio" name="disposal" className="mt-0.5 accent-violet-500" checked={choice === 'move'} disabled={targets.length === 0} onChange={() => setChoice('move')} />
                <span className="flex flex-1 flex-col gap-2">
                  Move its jobs and images to
                  <select
                    aria-label="Group to move them to"
                    value={targetId}
                    disabled={choice !== 'move'}
                    onChange={(event) => setTargetId(event.target.value)}
                    className="h-9 rounded-lg border border-neutral-700 bg-neutral-950 px-2 focus-visible:outline-2 focus-visible:outline-violet-400"
                  >
                    {targets.map((target) => (
                      <option key={target.id} value={target.id}>
                        {target.name}
                      </option>
                    ))}
                  </select>
                  <FieldError message={isApiError(error) ? error.issueFor('to') : undefined} />
                </span>
              </label>
              <label className={`flex gap-3 rounded-lg border p-3 ${choice === 'delete' ? 'border-red-500 bg-red-500/10' : 'border-neutral-700'}`}>
                <input type="radio" name="disposal" className="mt-0.5 accent-red-500" checked={choice === 'delete'} onChange={() => setChoice('delete')} />
                <span>
                  Delete its jobs, images and files
                  <span className="block text-neutral-400">This cannot be undone. Unfinished jobs must be canceled first.</span>
                </span>
              </label>
            </fieldset>
          ) : null}
          <FieldError message={error && !(isApiError(error) && error.issueFor('to')) ? errorMessage(error) : undefined} />
          <div className="flex justify-end gap-2">
            <Dialog.Close className={buttonClasses('ghost')}>Keep it</Dialog.Close>
            <Button variant="danger" disabled={remove.isPending || (!empty && choice === 'move' && targetId === '')} onClick={() => remove.mutate()}>
              {remove.isPending ? 'Deleting…' : 'Delete group'}
            </Button>
          </div>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

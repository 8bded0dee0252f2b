'use client';
/** Renaming a group in a small Radix dialog; a taken name is reported next to the field. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Dialog } from 'radix-ui';
import { useState } from 'react';
import { Button, buttonClasses } from '../../_components/button.js';
import { FieldError } from '../../_components/field-error.js';
import { apiRequest, errorMessage, isApiError } from '../../_lib/api-client.js';
import type { Group } from '../../_lib/api-types.js';
import { queryKeys } from '../../_lib/query-keys.js';

export function RenameGroupDialog({ group }: { group: Group }) {
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState(group.name);
  const rename = useMutation({
    mutationFn: (value: string) => apiRequest<Group>(`/api/groups/${encodeURIComponent(group.id)}`, { method: 'PATCH', body: { name: value } }),
    onSuccess: (renamed) => {
      setOpen(false);
      queryClient.setQueryData(queryKeys.group(renamed.id), renamed);
      void queryClient.invalidateQueries({ queryKey: queryKeys.groups });
    },
  });
  const error = rename.error;
  return (
    <Dialog.Root
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (next) setName(group.name);
        else rename.reset();
      }}
    >
      <Dialog.Trigger className={buttonClasses('ghost', 'small')} aria-label={`Rename ${group.name}`}>
        Rename
      </Dialog.Trigger>
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 z-40 bg-black/70" />
        <Dialog.Content className="fixed left-1/2 top-1/2 z-50 w-[min(26rem,calc(100vw-2rem))] -translate-x-1/2 -translate-y-1/2 rounded-xl border border-neutral-800 bg-neutral-900 p-6 shadow-2xl">
          <form
            className="flex flex-col gap-4"
            onSubmit={(event) => {
              event.preventDefault();
              rename.mutate(name.trim());
            }}
          >
            <Dialog.Title className="text-lg font-semibold">Rename group</Dialog.Title>
            <Dialog.Description className="sr-only">Give “{group.name}” a new name.</Dialog.Description>
            <label className="flex flex-col gap-1.5 text-sm font-medium">
              Name
              <input
                value={name}
                maxLength={100}
                required
                onChange={(event) => setName(event.target.value)}
                aria-invalid={error ? true : undefined}
                className="h-10 rounded-lg border border-neutral-700 bg-neutral-950 px-3 focus-visible:outline-2 focus-visible:outline-violet-400"
              />
            </label>
            <FieldError message={error ? (isApiError(error) ? (error.issueFor('name') ?? error.message) : errorMessage(error)) : undefined} />
            <div className="flex justify-end gap-2">
              <Dialog.Close className={buttonClasses('ghost')}>Cancel</Dialog.Close>
              <Button type="submit" variant="primary" disabled={rename.isPending || name.trim() === ''}>
                Save
              </Button>
            </div>
          </form>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

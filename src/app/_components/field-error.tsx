/** An API error shown next to the control that caused it; announced to screen readers. */
export function FieldError({ id, message }: { id?: string; message: string | undefined }) {
  if (!message) return null;
  return (
    <p id={id} role="alert" className="text-sm text-red-400">
      {message}
    </p>
  );
}

import { useState, type FormEvent } from 'react';
import { FormError, TextField } from './fields';

/**
 * A deletion that cannot be undone: the button works only once the person has typed the
 * thing's name, so a slip of the mouse deletes nothing.
 */
export function TypedConfirm({
  what,
  name,
  consequence,
  action = 'Delete',
  pending,
  error,
  onConfirm,
}: {
  what: string;
  name: string;
  consequence: string;
  action?: string;
  pending: boolean;
  error: string | null;
  onConfirm: () => void;
}) {
  const [typed, setTyped] = useState('');
  const matches = typed.trim() === name;
  function submit(event: FormEvent) {
    event.preventDefault();
    if (matches) onConfirm();
  }
  return (
    <form className="card danger-zone" onSubmit={submit} noValidate>
      <h2>
        {action} this {what}
      </h2>
      <p>{consequence}</p>
      <TextField
        label={`Type “${name}” to confirm`}
        name="confirm"
        autoComplete="off"
        value={typed}
        onChange={(e) => setTyped(e.target.value)}
      />
      <FormError message={error} />
      <button type="submit" className="danger" disabled={!matches || pending}>
        {pending ? `${action.replace(/e$/, '')}ing…` : `${action} ${what}`}
      </button>
    </form>
  );
}

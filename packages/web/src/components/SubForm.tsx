import type { FormEvent, ReactNode } from 'react';
import type { FormAction } from '../lib/use-form-action';
import { FormError } from './fields';

/** The "add one more" form under a list: its title, its fields, what failed, its button. */
export function SubForm({
  title,
  submitLabel,
  pendingLabel = submitLabel,
  form,
  onSubmit,
  children,
}: {
  title: string;
  submitLabel: string;
  /** What the button says while the form is sent. */
  pendingLabel?: string;
  form: FormAction;
  onSubmit: (event: FormEvent) => unknown;
  children: ReactNode;
}) {
  return (
    <form onSubmit={onSubmit} noValidate className="subform">
      <h3>{title}</h3>
      {children}
      <FormError message={form.summary} />
      <button type="submit" disabled={form.pending}>
        {form.pending ? pendingLabel : submitLabel}
      </button>
    </form>
  );
}

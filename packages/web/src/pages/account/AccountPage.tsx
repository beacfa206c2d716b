import { changePasswordBody } from '@swiftcloud/contracts';
import { useState, type FormEvent } from 'react';
import { FormError, TextField } from '../../components/fields';
import { PageHeader } from '../../components/Layout';
import { useFormAction } from '../../lib/use-form-action';
import { validate } from '../../lib/validate';
import { useApi, useUser } from '../../session';

export function AccountPage() {
  const user = useUser();
  const api = useApi();
  const form = useFormAction(['current_password', 'new_password']);
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [done, setDone] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setDone(null);
    const checked = validate(changePasswordBody, {
      current_password: current,
      new_password: next,
    });
    if (!checked.ok) return form.fail(checked.fields);
    const result = await form.run(() => api.auth.changePassword(checked.data));
    if (result) {
      const n = result.data.otherSessionsEnded;
      setDone(
        `Password changed. ${n === 0 ? 'No other sessions were signed in.' : `${n} other ${n === 1 ? 'session was' : 'sessions were'} signed out.`}`,
      );
      setCurrent('');
      setNext('');
    }
  }

  return (
    <section>
      <PageHeader title="Account" />
      <div className="card">
        <dl className="facts">
          <dt>Name</dt>
          <dd>{user.name}</dd>
          <dt>Email</dt>
          <dd>{user.email}</dd>
          <dt>Role</dt>
          <dd>{user.isAdmin ? 'Platform administrator' : 'Customer'}</dd>
        </dl>
      </div>
      <form className="card narrow" onSubmit={submit} noValidate>
        <h2>Change password</h2>
        <TextField
          label="Current password"
          name="current_password"
          type="password"
          autoComplete="current-password"
          value={current}
          onChange={(e) => setCurrent(e.target.value)}
          error={form.errors.current_password}
        />
        <TextField
          label="New password"
          name="new_password"
          type="password"
          autoComplete="new-password"
          hint="At least 10 characters. Your other sessions will be signed out."
          value={next}
          onChange={(e) => setNext(e.target.value)}
          error={form.errors.new_password}
        />
        <FormError message={form.summary} />
        {done ? (
          <p className="notice" role="status">
            {done}
          </p>
        ) : null}
        <button type="submit" disabled={form.pending}>
          {form.pending ? 'Changing…' : 'Change password'}
        </button>
      </form>
    </section>
  );
}

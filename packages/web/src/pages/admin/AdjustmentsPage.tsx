import { adjustmentBody, uuid } from '@swiftcloud/contracts';
import { useState, type FormEvent } from 'react';
import { FormError, TextField } from '../../components/fields';
import { formatMoney } from '../../lib/money';
import { useFormAction } from '../../lib/use-form-action';
import { validate } from '../../lib/validate';
import { useApi } from '../../session';

export function AdjustmentsPage() {
  const api = useApi();
  const form = useFormAction(['project_id', 'amount', 'reason']);
  const [projectId, setProjectId] = useState('');
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const [done, setDone] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setDone(null);
    const id = uuid.safeParse(projectId);
    const checked = validate(adjustmentBody, { amount, reason });
    const problems = checked.ok ? {} : { ...checked.fields };
    if (!id.success) problems.project_id = 'Paste the project’s id, shown on its Settings page';
    if (!checked.ok || !id.success) return form.fail(problems);
    const result = await form.run(() => api.admin.adjust(id.data, checked.data));
    if (result) {
      setDone(
        `${formatMoney(result.data.amount)} recorded. The project's balance is now ${formatMoney(result.data.balance)}.`,
      );
      setAmount('');
      setReason('');
    }
  }

  return (
    <form className="card narrow" onSubmit={submit} noValidate aria-labelledby="adjust-heading">
      <h2 id="adjust-heading">Credit adjustments</h2>
      <p className="muted">
        Credit (positive) or debit (negative) a project's balance, with a reason its owners see in
        their payments.
      </p>
      <TextField
        label="Project id"
        name="project_id"
        value={projectId}
        onChange={(e) => setProjectId(e.target.value)}
        error={form.errors.project_id}
        spellCheck={false}
      />
      <TextField
        label="Amount (K)"
        name="amount"
        placeholder="25.00 or -12.50"
        value={amount}
        onChange={(e) => setAmount(e.target.value)}
        error={form.errors.amount}
      />
      <TextField
        label="Reason"
        name="reason"
        value={reason}
        onChange={(e) => setReason(e.target.value)}
        error={form.errors.reason}
      />
      <FormError message={form.summary} />
      {done ? (
        <p className="notice" role="status">
          {done}
        </p>
      ) : null}
      <button type="submit" disabled={form.pending}>
        Record adjustment
      </button>
    </form>
  );
}

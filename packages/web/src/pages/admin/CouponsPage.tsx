import { createCouponBody, type Coupon } from '@swiftcloud/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { CheckboxField, FormError, TextField } from '../../components/fields';
import { Money } from '../../components/money';
import { Empty, ErrorState, QueryView } from '../../components/states';
import { formatDate } from '../../lib/dates';
import { useFormAction } from '../../lib/use-form-action';
import { validate } from '../../lib/validate';
import { useApi } from '../../session';

/** A date input's day as the end of that day in UTC, the way a coupon's last day reads. */
function endOfDay(day: string): string | null {
  return day ? `${day}T23:59:59Z` : null;
}

export function CouponsPage() {
  const api = useApi();
  const queryClient = useQueryClient();
  const coupons = useQuery({ queryKey: ['admin', 'coupons'], queryFn: api.admin.coupons });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['admin', 'coupons'] });
  const toggle = useMutation({
    mutationFn: (c: Coupon) => api.admin.updateCoupon(c.id, { active: !c.active }),
    onSuccess: refresh,
  });
  const form = useFormAction(['code', 'amount', 'max_redemptions', 'valid_until']);
  const [f, setF] = useState({
    code: '',
    amount: '',
    max: '',
    until: '',
    newOnly: false,
  });

  async function submit(event: FormEvent) {
    event.preventDefault();
    const checked = validate(createCouponBody, {
      code: f.code,
      amount: f.amount,
      max_redemptions: f.max.trim() === '' ? null : Number(f.max),
      valid_until: endOfDay(f.until),
      new_projects_only: f.newOnly,
    });
    if (!checked.ok) return form.fail(checked.fields);
    if (await form.run(() => api.admin.createCoupon(checked.data))) {
      setF({ code: '', amount: '', max: '', until: '', newOnly: false });
      await refresh();
    }
  }

  return (
    <section className="card" aria-labelledby="coupons-heading">
      <h2 id="coupons-heading">Coupons</h2>
      {toggle.isError ? <ErrorState error={toggle.error} /> : null}
      <QueryView query={coupons} label="Loading coupons">
        {({ data }) =>
          data.length === 0 ? (
            <Empty>No coupons yet.</Empty>
          ) : (
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Code</th>
                    <th scope="col">Amount</th>
                    <th scope="col">Used</th>
                    <th scope="col">Valid until</th>
                    <th scope="col">Rules</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {data.map((c) => (
                    <tr key={c.id}>
                      <td className="mono">{c.code}</td>
                      <td>
                        <Money amount={c.amount} />
                      </td>
                      <td>
                        {c.redemptions}
                        {c.maxRedemptions === null ? '' : ` of ${c.maxRedemptions}`}
                      </td>
                      <td>{c.validUntil ? formatDate(c.validUntil) : 'No end'}</td>
                      <td>
                        {[
                          c.active ? 'Active' : 'Inactive',
                          c.newProjectsOnly ? 'new projects only' : '',
                        ]
                          .filter(Boolean)
                          .join(', ')}
                      </td>
                      <td className="cell-actions">
                        <button
                          type="button"
                          className="secondary small"
                          aria-label={`${c.active ? 'Deactivate' : 'Activate'} ${c.code}`}
                          onClick={() => toggle.mutate(c)}
                        >
                          {c.active ? 'Deactivate' : 'Activate'}
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </QueryView>
      <form onSubmit={submit} noValidate className="subform">
        <h3>Create a coupon</h3>
        <div className="row">
          <TextField
            label="Code"
            name="code"
            placeholder="PROMO2024"
            value={f.code}
            onChange={(e) => setF({ ...f, code: e.target.value })}
            error={form.errors.code}
          />
          <TextField
            label="Amount (K)"
            name="amount"
            placeholder="100.00"
            inputMode="decimal"
            value={f.amount}
            onChange={(e) => setF({ ...f, amount: e.target.value })}
            error={form.errors.amount}
          />
          <TextField
            label="Uses (empty: unlimited)"
            name="max_redemptions"
            inputMode="numeric"
            value={f.max}
            onChange={(e) => setF({ ...f, max: e.target.value })}
            error={form.errors.max_redemptions}
          />
          <TextField
            label="Last day (optional)"
            name="valid_until"
            type="date"
            value={f.until}
            onChange={(e) => setF({ ...f, until: e.target.value })}
            error={form.errors.valid_until}
          />
        </div>
        <CheckboxField
          label="Only for projects that never had a payment"
          name="new_projects_only"
          checked={f.newOnly}
          onChange={(e) => setF({ ...f, newOnly: e.target.checked })}
        />
        <FormError message={form.summary} />
        <button type="submit" disabled={form.pending}>
          Create coupon
        </button>
      </form>
    </section>
  );
}

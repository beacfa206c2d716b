import { createCouponBody, type Coupon } from '@swiftcloud/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { CheckboxField, TextField } from '../../components/fields';
import { Money } from '../../components/money';
import { Empty, ErrorState, QueryView } from '../../components/states';
import { SubForm } from '../../components/SubForm';
import { DataTable, RowButton } from '../../components/table';
import { formatDate } from '../../lib/dates';
import { useFields } from '../../lib/use-fields';
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
  const {
    values: f,
    setValues: setF,
    text,
    flag,
  } = useFields({
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
            <DataTable columns={['Code', 'Amount', 'Used', 'Valid until', 'Rules']} actions>
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
                    <RowButton
                      action={c.active ? 'Deactivate' : 'Activate'}
                      subject={c.code}
                      onClick={() => toggle.mutate(c)}
                    />
                  </td>
                </tr>
              ))}
            </DataTable>
          )
        }
      </QueryView>
      <SubForm title="Create a coupon" submitLabel="Create coupon" form={form} onSubmit={submit}>
        <div className="row">
          <TextField
            label="Code"
            name="code"
            placeholder="PROMO2024"
            {...text('code')}
            error={form.errors.code}
          />
          <TextField
            label="Amount (K)"
            name="amount"
            placeholder="100.00"
            inputMode="decimal"
            {...text('amount')}
            error={form.errors.amount}
          />
          <TextField
            label="Uses (empty: unlimited)"
            name="max_redemptions"
            inputMode="numeric"
            {...text('max')}
            error={form.errors.max_redemptions}
          />
          <TextField
            label="Last day (optional)"
            name="valid_until"
            type="date"
            {...text('until')}
            error={form.errors.valid_until}
          />
        </div>
        <CheckboxField
          label="Only for projects that never had a payment"
          name="new_projects_only"
          {...flag('newOnly')}
        />
      </SubForm>
    </section>
  );
}

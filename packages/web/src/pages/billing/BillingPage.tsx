import { topupBody } from '@swiftcloud/contracts';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState, type FormEvent } from 'react';
import { FormError, TextField } from '../../components/fields';
import { Money } from '../../components/money';
import { Empty, QueryView } from '../../components/states';
import { DataTable } from '../../components/table';
import { formatTime } from '../../lib/dates';
import { formatMoney, parseKwacha } from '../../lib/money';
import { thisMonth, usageChart } from '../../lib/usage';
import { useFormAction } from '../../lib/use-form-action';
import { validate } from '../../lib/validate';
import { useApi } from '../../session';
import { useProject } from '../projects/project-context';
import { can } from '../projects/roles';
import { BalanceSummary } from './BalanceSummary';
import { UsageChart } from './UsageChart';

const METHOD: Record<string, string> = {
  coupon: 'Coupon',
  admin_credit: 'Credit from SwiftCloud',
  mobile_money: 'Mobile money',
};

export function BillingPage() {
  const project = useProject();
  return (
    <>
      <div className="grid">
        <BalanceSummary project={project} />
        {can(project.role).manage ? <Topup /> : null}
      </div>
      <Usage />
      <Payments />
    </>
  );
}

function Topup() {
  const project = useProject();
  const api = useApi();
  const queryClient = useQueryClient();
  const form = useFormAction(['coupon_code']);
  const [code, setCode] = useState('');
  const [done, setDone] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setDone(null);
    const checked = validate(topupBody, { project_id: project.id, coupon_code: code });
    if (!checked.ok) return form.fail(checked.fields);
    const result = await form.run(() => api.billing.topup(checked.data));
    if (result) {
      setCode('');
      setDone(
        `${formatMoney(result.data.payment.amount)} added. The balance is now ${formatMoney(result.data.balance.balance)}.`,
      );
      queryClient.setQueryData(['billing', project.id, 'balance'], result.data.balance);
      await queryClient.invalidateQueries({ queryKey: ['billing', project.id] });
      await queryClient.invalidateQueries({ queryKey: ['projects'] });
    }
  }

  return (
    <form className="card" onSubmit={submit} noValidate>
      <h2>Top up</h2>
      <TextField
        label="Coupon code"
        name="coupon_code"
        autoComplete="off"
        value={code}
        onChange={(e) => setCode(e.target.value)}
        error={form.errors.coupon_code}
        hint="Such as PROMO2024"
      />
      <FormError message={form.summary} />
      {done ? (
        <p className="notice" role="status">
          {done}
        </p>
      ) : null}
      <button type="submit" disabled={form.pending}>
        {form.pending ? 'Adding…' : 'Add funds'}
      </button>
    </form>
  );
}

function Usage() {
  const project = useProject();
  const api = useApi();
  const window = useMemo(() => thisMonth(), []);
  const usage = useQuery({
    queryKey: ['billing', project.id, 'usage', window.from, window.to],
    queryFn: () => api.billing.usage(project.id, window.from, window.to),
  });
  return (
    <section className="card" aria-labelledby="usage-heading">
      <h2 id="usage-heading">Usage this month</h2>
      <QueryView query={usage} rows={4} label="Loading usage">
        {(rows) => {
          if (rows.length === 0) return <Empty>No charges this month yet.</Empty>;
          const chart = usageChart(rows, window.from, window.to);
          const byResource = chart.resources.map((r, i) => ({
            name: r,
            total: chart.bars.reduce((sum, b) => sum + b.amounts[i]!, 0n),
            hours: rows
              .filter(
                (u) =>
                  (u.resourceType === 'public_ip'
                    ? `${u.resourceName} (public IPv4)`
                    : u.resourceName) === r,
              )
              .reduce((sum, u) => sum + u.hours, 0),
          }));
          return (
            <>
              <UsageChart data={chart} />
              <div className="table-wrap">
                <table>
                  <caption className="visually-hidden">Charges by resource this month</caption>
                  <thead>
                    <tr>
                      <th scope="col">Resource</th>
                      <th scope="col">Hours</th>
                      <th scope="col">Charged</th>
                    </tr>
                  </thead>
                  <tbody>
                    {byResource.map((r) => (
                      <tr key={r.name}>
                        <td>{r.name}</td>
                        <td>{r.hours}</td>
                        <td>
                          <Money amount={r.total} />
                        </td>
                      </tr>
                    ))}
                    <tr>
                      <th scope="row">Total</th>
                      <td />
                      <td>
                        <Money amount={chart.total} />
                      </td>
                    </tr>
                  </tbody>
                </table>
              </div>
            </>
          );
        }}
      </QueryView>
    </section>
  );
}

function Payments() {
  const project = useProject();
  const api = useApi();
  const payments = useQuery({
    queryKey: ['billing', project.id, 'payments'],
    queryFn: () => api.billing.payments(project.id),
  });
  return (
    <section className="card" aria-labelledby="payments-heading">
      <h2 id="payments-heading">Payments</h2>
      <QueryView query={payments} label="Loading payments">
        {({ data }) =>
          data.length === 0 ? (
            <Empty>No payments yet.</Empty>
          ) : (
            <DataTable columns={['When', 'How', 'Reference', 'Amount', 'Status']}>
              {data.map((p) => (
                <tr key={p.id}>
                  <td>{formatTime(p.createdAt)}</td>
                  <td>{METHOD[p.method] ?? p.method}</td>
                  <td className="mono">{p.reference}</td>
                  <td className={parseKwacha(p.amount) < 0n ? 'negative' : undefined}>
                    <Money amount={p.amount} />
                  </td>
                  <td>{p.status}</td>
                </tr>
              ))}
            </DataTable>
          )
        }
      </QueryView>
    </section>
  );
}

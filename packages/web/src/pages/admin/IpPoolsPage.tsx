import { createIpPoolBody, type IpPool } from '@swiftcloud/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { CheckboxField, TextField } from '../../components/fields';
import { SubForm } from '../../components/SubForm';
import { DataTable, DeleteButton } from '../../components/table';
import { Empty, ErrorState, QueryView } from '../../components/states';
import { useFields } from '../../lib/use-fields';
import { useFormAction } from '../../lib/use-form-action';
import { validate } from '../../lib/validate';
import { useApi } from '../../session';

export function IpPoolsPage() {
  const api = useApi();
  const queryClient = useQueryClient();
  const pools = useQuery({ queryKey: ['admin', 'ip-pools'], queryFn: api.admin.ipPools });
  const nodes = useQuery({ queryKey: ['admin', 'nodes'], queryFn: api.admin.nodes });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['admin', 'ip-pools'] });
  const remove = useMutation({
    mutationFn: (p: IpPool) => api.admin.removeIpPool(p.id),
    onSuccess: refresh,
  });
  const form = useFormAction(['name', 'cidr', 'gateway', 'range_first', 'range_last', 'node_ids']);
  const {
    values: f,
    setValues: setF,
    text,
    flag,
  } = useFields({
    name: '',
    cidr: '',
    gateway: '',
    range_first: '',
    range_last: '',
    public: true,
    node_ids: [] as string[],
  });
  const nodeName = (id: string) => nodes.data?.data.find((n) => n.id === id)?.name ?? id;

  async function submit(event: FormEvent) {
    event.preventDefault();
    const checked = validate(createIpPoolBody, {
      ...f,
      range_first: f.range_first || undefined,
      range_last: f.range_last || undefined,
    });
    if (!checked.ok) return form.fail(checked.fields);
    if (await form.run(() => api.admin.createIpPool(checked.data))) {
      setF({ ...f, name: '', cidr: '', gateway: '', range_first: '', range_last: '' });
      await refresh();
    }
  }

  return (
    <section className="card" aria-labelledby="pools-heading">
      <h2 id="pools-heading">IP pools</h2>
      {remove.isError ? <ErrorState error={remove.error} /> : null}
      <QueryView query={pools} label="Loading IP pools">
        {({ data }) =>
          data.length === 0 ? (
            <Empty>No IP pools: VMs cannot get addresses until one is added.</Empty>
          ) : (
            <DataTable columns={['Name', 'Network', 'Range', 'Kind', 'Nodes', 'In use']} actions>
              {data.map((p) => (
                <tr key={p.id}>
                  <td className="mono">{p.name}</td>
                  <td className="mono">
                    {p.cidr} via {p.gateway}
                  </td>
                  <td className="mono">
                    {p.rangeFirst} – {p.rangeLast}
                  </td>
                  <td>{p.public ? 'Public' : 'Private'}</td>
                  <td>{p.nodeIds.map(nodeName).join(', ') || '—'}</td>
                  <td>
                    {p.allocated} of {p.addresses}
                  </td>
                  <td className="cell-actions">
                    <DeleteButton what="pool" subject={p.name} onDelete={() => remove.mutate(p)} />
                  </td>
                </tr>
              ))}
            </DataTable>
          )
        }
      </QueryView>
      <SubForm title="Add a pool" submitLabel="Add pool" form={form} onSubmit={submit}>
        <div className="row">
          <TextField
            label="Name"
            name="name"
            placeholder="public-2"
            {...text('name')}
            error={form.errors.name}
          />
          <TextField
            label="Network (CIDR)"
            name="cidr"
            placeholder="198.51.100.0/24"
            {...text('cidr')}
            error={form.errors.cidr}
          />
          <TextField
            label="Gateway"
            name="gateway"
            placeholder="198.51.100.1"
            {...text('gateway')}
            error={form.errors.gateway}
          />
          <TextField
            label="First address (optional)"
            name="range_first"
            {...text('range_first')}
            error={form.errors.range_first}
          />
          <TextField
            label="Last address (optional)"
            name="range_last"
            {...text('range_last')}
            error={form.errors.range_last}
          />
        </div>
        <CheckboxField label="Public addresses" name="public" {...flag('public')} />
        <fieldset>
          <legend>Serves the nodes</legend>
          {nodes.data?.data.map((n) => (
            <CheckboxField
              key={n.id}
              label={n.name}
              name="node_ids"
              checked={f.node_ids.includes(n.id)}
              onChange={(e) =>
                setF({
                  ...f,
                  node_ids: e.target.checked
                    ? [...f.node_ids, n.id]
                    : f.node_ids.filter((x) => x !== n.id),
                })
              }
            />
          ))}
          {form.errors.node_ids ? (
            <span className="field-error">{form.errors.node_ids}</span>
          ) : null}
        </fieldset>
      </SubForm>
    </section>
  );
}

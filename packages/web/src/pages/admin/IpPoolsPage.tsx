import { createIpPoolBody, type IpPool } from '@swiftcloud/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { CheckboxField, FormError, TextField } from '../../components/fields';
import { Empty, ErrorState, QueryView } from '../../components/states';
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
  const [f, setF] = useState({
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
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Network</th>
                    <th scope="col">Range</th>
                    <th scope="col">Kind</th>
                    <th scope="col">Nodes</th>
                    <th scope="col">In use</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
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
                        <button
                          type="button"
                          className="danger small"
                          aria-label={`Delete ${p.name}`}
                          onClick={() => {
                            if (window.confirm(`Delete the pool ${p.name}?`)) remove.mutate(p);
                          }}
                        >
                          Delete
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
        <h3>Add a pool</h3>
        <div className="row">
          <TextField
            label="Name"
            name="name"
            placeholder="public-2"
            value={f.name}
            onChange={(e) => setF({ ...f, name: e.target.value })}
            error={form.errors.name}
          />
          <TextField
            label="Network (CIDR)"
            name="cidr"
            placeholder="198.51.100.0/24"
            value={f.cidr}
            onChange={(e) => setF({ ...f, cidr: e.target.value })}
            error={form.errors.cidr}
          />
          <TextField
            label="Gateway"
            name="gateway"
            placeholder="198.51.100.1"
            value={f.gateway}
            onChange={(e) => setF({ ...f, gateway: e.target.value })}
            error={form.errors.gateway}
          />
          <TextField
            label="First address (optional)"
            name="range_first"
            value={f.range_first}
            onChange={(e) => setF({ ...f, range_first: e.target.value })}
            error={form.errors.range_first}
          />
          <TextField
            label="Last address (optional)"
            name="range_last"
            value={f.range_last}
            onChange={(e) => setF({ ...f, range_last: e.target.value })}
            error={form.errors.range_last}
          />
        </div>
        <CheckboxField
          label="Public addresses"
          name="public"
          checked={f.public}
          onChange={(e) => setF({ ...f, public: e.target.checked })}
        />
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
        <FormError message={form.summary} />
        <button type="submit" disabled={form.pending}>
          Add pool
        </button>
      </form>
    </section>
  );
}

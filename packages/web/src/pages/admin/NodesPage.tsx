import { createNodeBody, DRIVER_NAMES, type HypervisorNode } from '@swiftcloud/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { SelectField, TextArea, TextField } from '../../components/fields';
import { SubForm } from '../../components/SubForm';
import { DataTable, DeleteButton, RowButton } from '../../components/table';
import { Empty, ErrorState, QueryView } from '../../components/states';
import { useFields } from '../../lib/use-fields';
import { useFormAction } from '../../lib/use-form-action';
import { validate } from '../../lib/validate';
import { useApi } from '../../session';

/** `tokenId=root@pam!sc` lines into an object; blank lines skipped. */
export function parseCredentials(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const at = line.indexOf('=');
    if (line.trim() === '') continue;
    if (at < 1) out[line.trim()] = '';
    else out[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return out;
}

export function NodesPage() {
  const api = useApi();
  const queryClient = useQueryClient();
  const nodes = useQuery({ queryKey: ['admin', 'nodes'], queryFn: api.admin.nodes });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['admin', 'nodes'] });
  const toggle = useMutation({
    mutationFn: (n: HypervisorNode) => api.admin.updateNode(n.id, { active: !n.active }),
    onSuccess: refresh,
  });
  const remove = useMutation({
    mutationFn: (n: HypervisorNode) => api.admin.removeNode(n.id),
    onSuccess: refresh,
  });
  const form = useFormAction([
    'name',
    'driver',
    'endpoint',
    'credentials',
    'cpus',
    'memory_mib',
    'disk_gib',
  ]);
  const {
    values: f,
    setValues: setF,
    text,
  } = useFields({
    name: '',
    driver: 'simulator' as (typeof DRIVER_NAMES)[number],
    endpoint: '',
    credentials: '',
    cpus: '16',
    memory_mib: '65536',
    disk_gib: '1000',
  });

  async function submit(event: FormEvent) {
    event.preventDefault();
    const checked = validate(createNodeBody, {
      name: f.name,
      driver: f.driver,
      endpoint: f.endpoint || undefined,
      credentials: f.credentials.trim() ? parseCredentials(f.credentials) : undefined,
      cpus: Number(f.cpus),
      memory_mib: Number(f.memory_mib),
      disk_gib: Number(f.disk_gib),
    });
    if (!checked.ok) return form.fail(checked.fields);
    if (await form.run(() => api.admin.createNode(checked.data))) {
      setF({ ...f, name: '', credentials: '' });
      await refresh();
    }
  }

  return (
    <section className="card" aria-labelledby="nodes-heading">
      <h2 id="nodes-heading">Hypervisor nodes</h2>
      {toggle.isError ? <ErrorState error={toggle.error} /> : null}
      {remove.isError ? <ErrorState error={remove.error} /> : null}
      <QueryView query={nodes} label="Loading nodes">
        {({ data }) =>
          data.length === 0 ? (
            <Empty>No nodes: VMs cannot be made until one is added.</Empty>
          ) : (
            <DataTable
              columns={['Name', 'Driver', 'Endpoint', 'Capacity', 'Credentials', 'Takes VMs']}
              actions
            >
              {data.map((n) => (
                <tr key={n.id}>
                  <td className="mono">{n.name}</td>
                  <td>{n.driver}</td>
                  <td className="break">{n.endpoint || '—'}</td>
                  <td>
                    {n.cpus} CPUs · {Math.round(n.memoryMiB / 1024)} GiB · {n.diskGiB} GiB
                  </td>
                  <td>{n.credentialKeys.join(', ') || '—'}</td>
                  <td>{n.active ? 'Yes' : 'No'}</td>
                  <td className="cell-actions">
                    <RowButton
                      action={n.active ? 'Pause' : 'Resume'}
                      subject={n.name}
                      onClick={() => toggle.mutate(n)}
                    />
                    <DeleteButton what="node" subject={n.name} onDelete={() => remove.mutate(n)} />
                  </td>
                </tr>
              ))}
            </DataTable>
          )
        }
      </QueryView>
      <SubForm title="Add a node" submitLabel="Add node" form={form} onSubmit={submit}>
        <div className="row">
          <TextField
            label="Name"
            name="name"
            placeholder="pve1"
            {...text('name')}
            error={form.errors.name}
          />
          <SelectField label="Driver" name="driver" {...text('driver')} error={form.errors.driver}>
            {DRIVER_NAMES.map((d) => (
              <option key={d}>{d}</option>
            ))}
          </SelectField>
          <TextField
            label="Endpoint"
            name="endpoint"
            placeholder="https://pve1.example.co.zm:8006"
            {...text('endpoint')}
            error={form.errors.endpoint}
          />
          <TextField
            label="CPUs"
            name="cpus"
            inputMode="numeric"
            {...text('cpus')}
            error={form.errors.cpus}
          />
          <TextField
            label="Memory (MiB)"
            name="memory_mib"
            inputMode="numeric"
            {...text('memory_mib')}
            error={form.errors.memory_mib}
          />
          <TextField
            label="Disk (GiB)"
            name="disk_gib"
            inputMode="numeric"
            {...text('disk_gib')}
            error={form.errors.disk_gib}
          />
        </div>
        <TextArea
          label="Credentials (one name=value a line; write-only)"
          name="credentials"
          rows={3}
          {...text('credentials')}
          error={form.errors.credentials}
          hint="Proxmox: tokenId, tokenSecret, nodeName, and ca or fingerprint256"
          spellCheck={false}
        />
      </SubForm>
    </section>
  );
}

import {
  createSizeBody,
  createTemplateBody,
  OS_FAMILIES,
  type AdminSize,
  type AdminTemplate,
  type OsFamily,
} from '@swiftcloud/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { CheckboxField, FormError, SelectField, TextField } from '../../components/fields';
import { Money, Rate } from '../../components/money';
import { Empty, ErrorState, QueryView } from '../../components/states';
import { SubForm } from '../../components/SubForm';
import { DataTable, DeleteButton, RowButton } from '../../components/table';
import { useFields } from '../../lib/use-fields';
import { useFormAction } from '../../lib/use-form-action';
import { validate } from '../../lib/validate';
import { useApi } from '../../session';

export function CatalogPage() {
  return (
    <>
      <Templates />
      <Sizes />
    </>
  );
}

function Templates() {
  const api = useApi();
  const queryClient = useQueryClient();
  const templates = useQuery({ queryKey: ['admin', 'templates'], queryFn: api.admin.templates });
  const nodes = useQuery({ queryKey: ['admin', 'nodes'], queryFn: api.admin.nodes });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['admin', 'templates'] });
  const toggle = useMutation({
    mutationFn: (t: AdminTemplate) => api.admin.updateTemplate(t.id, { active: !t.active }),
    onSuccess: refresh,
  });
  const remove = useMutation({
    mutationFn: (t: AdminTemplate) => api.admin.removeTemplate(t.id),
    onSuccess: refresh,
  });
  const form = useFormAction(['slug', 'name', 'os_family', 'min_disk_gib', 'sources']);
  const {
    values: f,
    setValues: setF,
    text,
  } = useFields({
    slug: '',
    name: '',
    os: 'ubuntu' as OsFamily,
    disk: '10',
    nodeId: '',
    source: '',
  });

  async function submit(event: FormEvent) {
    event.preventDefault();
    const checked = validate(createTemplateBody, {
      slug: f.slug,
      name: f.name,
      os_family: f.os,
      min_disk_gib: Number(f.disk),
      sources: f.nodeId ? [{ node_id: f.nodeId, source: f.source }] : undefined,
    });
    if (!checked.ok) return form.fail(checked.fields);
    if (await form.run(() => api.admin.createTemplate(checked.data))) {
      setF({ ...f, slug: '', name: '', source: '' });
      await refresh();
    }
  }

  return (
    <section className="card" aria-labelledby="templates-heading">
      <h2 id="templates-heading">Templates</h2>
      {toggle.isError ? <ErrorState error={toggle.error} /> : null}
      {remove.isError ? <ErrorState error={remove.error} /> : null}
      <QueryView query={templates} label="Loading templates">
        {({ data }) =>
          data.length === 0 ? (
            <Empty>No templates.</Empty>
          ) : (
            <DataTable columns={['Slug', 'Name', 'OS', 'Min. disk', 'On nodes', 'Offered']} actions>
              {data.map((t) => (
                <tr key={t.id}>
                  <td className="mono">{t.slug}</td>
                  <td>{t.name}</td>
                  <td>{t.osFamily}</td>
                  <td>{t.minDiskGiB} GiB</td>
                  <td>{t.sources.map((s) => s.nodeName).join(', ') || '—'}</td>
                  <td>{t.active ? 'Yes' : 'No'}</td>
                  <td className="cell-actions">
                    <RowButton
                      action={t.active ? 'Retire' : 'Offer'}
                      subject={t.slug}
                      onClick={() => toggle.mutate(t)}
                    />
                    <DeleteButton
                      what="template"
                      subject={t.slug}
                      onDelete={() => remove.mutate(t)}
                    />
                  </td>
                </tr>
              ))}
            </DataTable>
          )
        }
      </QueryView>
      <SubForm title="Add a template" submitLabel="Add template" form={form} onSubmit={submit}>
        <div className="row">
          <TextField
            label="Slug"
            name="slug"
            placeholder="ubuntu-24.04"
            {...text('slug')}
            error={form.errors.slug}
          />
          <TextField
            label="Name"
            name="name"
            placeholder="Ubuntu 24.04 LTS"
            {...text('name')}
            error={form.errors.name}
          />
          <SelectField
            label="OS family"
            name="os_family"
            {...text('os')}
            error={form.errors.os_family}
          >
            {OS_FAMILIES.map((family) => (
              <option key={family}>{family}</option>
            ))}
          </SelectField>
          <TextField
            label="Smallest disk (GiB)"
            name="min_disk_gib"
            inputMode="numeric"
            {...text('disk')}
            error={form.errors.min_disk_gib}
          />
          <SelectField
            label="On node"
            name="node"
            {...text('nodeId')}
            error={form.errors['sources.0.node_id']}
          >
            <option value="">None yet</option>
            {nodes.data?.data.map((n) => (
              <option key={n.id} value={n.id}>
                {n.name}
              </option>
            ))}
          </SelectField>
          <TextField
            label="Node's template id"
            name="source"
            {...text('source')}
            error={form.errors['sources.0.source']}
            hint="Proxmox: the template VM to clone"
          />
        </div>
      </SubForm>
    </section>
  );
}

function SizeRow({ size, onChanged }: { size: AdminSize; onChanged: () => Promise<void> }) {
  const api = useApi();
  const [editing, setEditing] = useState(false);
  const [hourly, setHourly] = useState(size.hourlyPrice);
  const [cap, setCap] = useState(size.monthlyCap);
  const form = useFormAction(['hourly_price', 'monthly_cap']);
  const toggle = useMutation({
    mutationFn: () => api.admin.updateSize(size.id, { active: !size.active }),
    onSuccess: onChanged,
  });
  const remove = useMutation({
    mutationFn: () => api.admin.removeSize(size.id),
    onSuccess: onChanged,
  });

  async function save(event: FormEvent) {
    event.preventDefault();
    if (
      await form.run(() =>
        api.admin.updateSize(size.id, { hourly_price: hourly, monthly_cap: cap }),
      )
    ) {
      setEditing(false);
      await onChanged();
    }
  }

  if (editing) {
    return (
      <tr>
        <td colSpan={6}>
          <form onSubmit={save} noValidate>
            <div className="row">
              <TextField
                label={`Price per hour of ${size.slug} (K)`}
                name="hourly_price"
                value={hourly}
                onChange={(e) => setHourly(e.target.value)}
                error={form.errors.hourly_price}
              />
              <TextField
                label="Monthly cap (K)"
                name="monthly_cap"
                value={cap}
                onChange={(e) => setCap(e.target.value)}
                error={form.errors.monthly_cap}
              />
            </div>
            <FormError message={form.summary} />
            <div className="actions">
              <button type="submit" disabled={form.pending}>
                Save prices
              </button>
              <button type="button" className="secondary" onClick={() => setEditing(false)}>
                Cancel
              </button>
            </div>
          </form>
        </td>
      </tr>
    );
  }
  return (
    <tr>
      <td className="mono">{size.slug}</td>
      <td>
        {size.vcpus} vCPU · {size.memoryMiB} MiB · {size.diskGiB} GiB
      </td>
      <td>
        <Rate rate={size.hourlyPrice} per="hour" />
      </td>
      <td>
        <Money amount={size.monthlyCap} />
      </td>
      <td>{size.active ? 'Yes' : 'No'}</td>
      <td className="cell-actions">
        <button
          type="button"
          className="secondary small"
          aria-label={`Change prices of ${size.slug}`}
          onClick={() => setEditing(true)}
        >
          Prices
        </button>
        <RowButton
          action={size.active ? 'Retire' : 'Offer'}
          subject={size.slug}
          onClick={() => toggle.mutate()}
        />
        <DeleteButton what="size" subject={size.slug} onDelete={() => remove.mutate()} />
        {toggle.isError || remove.isError ? (
          <ErrorState error={toggle.error ?? remove.error} />
        ) : null}
      </td>
    </tr>
  );
}

function Sizes() {
  const api = useApi();
  const queryClient = useQueryClient();
  const sizes = useQuery({ queryKey: ['admin', 'sizes'], queryFn: api.admin.sizes });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['admin', 'sizes'] });
  const form = useFormAction([
    'slug',
    'vcpus',
    'memory_mib',
    'disk_gib',
    'hourly_price',
    'monthly_cap',
  ]);
  const {
    values: f,
    setValues: setF,
    text,
    flag,
  } = useFields({
    slug: '',
    vcpus: '1',
    memory_mib: '1024',
    disk_gib: '25',
    hourly_price: '',
    monthly_cap: '',
    active: true,
  });

  async function submit(event: FormEvent) {
    event.preventDefault();
    const checked = validate(createSizeBody, {
      ...f,
      vcpus: Number(f.vcpus),
      memory_mib: Number(f.memory_mib),
      disk_gib: Number(f.disk_gib),
    });
    if (!checked.ok) return form.fail(checked.fields);
    if (await form.run(() => api.admin.createSize(checked.data))) {
      setF({ ...f, slug: '' });
      await refresh();
    }
  }

  return (
    <section className="card" aria-labelledby="sizes-heading">
      <h2 id="sizes-heading">Sizes and prices</h2>
      <QueryView query={sizes} label="Loading sizes">
        {({ data }) =>
          data.length === 0 ? (
            <Empty>No sizes.</Empty>
          ) : (
            <DataTable columns={['Slug', 'Specs', 'Per hour', 'Monthly cap', 'Offered']} actions>
              {data.map((s) => (
                <SizeRow key={s.id} size={s} onChanged={refresh} />
              ))}
            </DataTable>
          )
        }
      </QueryView>
      <SubForm title="Add a size" submitLabel="Add size" form={form} onSubmit={submit}>
        <div className="row">
          <TextField label="Slug" name="slug" {...text('slug')} error={form.errors.slug} />
          <TextField
            label="vCPUs"
            name="vcpus"
            inputMode="numeric"
            {...text('vcpus')}
            error={form.errors.vcpus}
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
          <TextField
            label="Price per hour (K)"
            name="hourly_price"
            placeholder="0.2232"
            {...text('hourly_price')}
            error={form.errors.hourly_price}
          />
          <TextField
            label="Monthly cap (K)"
            name="monthly_cap"
            placeholder="150.00"
            {...text('monthly_cap')}
            error={form.errors.monthly_cap}
          />
        </div>
        <CheckboxField label="Offer it now" name="active" {...flag('active')} />
      </SubForm>
    </section>
  );
}

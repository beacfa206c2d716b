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
  const [slug, setSlug] = useState('');
  const [name, setName] = useState('');
  const [os, setOs] = useState<OsFamily>('ubuntu');
  const [disk, setDisk] = useState('10');
  const [nodeId, setNodeId] = useState('');
  const [source, setSource] = useState('');

  async function submit(event: FormEvent) {
    event.preventDefault();
    const checked = validate(createTemplateBody, {
      slug,
      name,
      os_family: os,
      min_disk_gib: Number(disk),
      sources: nodeId ? [{ node_id: nodeId, source }] : undefined,
    });
    if (!checked.ok) return form.fail(checked.fields);
    if (await form.run(() => api.admin.createTemplate(checked.data))) {
      setSlug('');
      setName('');
      setSource('');
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
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Slug</th>
                    <th scope="col">Name</th>
                    <th scope="col">OS</th>
                    <th scope="col">Min. disk</th>
                    <th scope="col">On nodes</th>
                    <th scope="col">Offered</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {data.map((t) => (
                    <tr key={t.id}>
                      <td className="mono">{t.slug}</td>
                      <td>{t.name}</td>
                      <td>{t.osFamily}</td>
                      <td>{t.minDiskGiB} GiB</td>
                      <td>{t.sources.map((s) => s.nodeName).join(', ') || '—'}</td>
                      <td>{t.active ? 'Yes' : 'No'}</td>
                      <td className="cell-actions">
                        <button
                          type="button"
                          className="secondary small"
                          onClick={() => toggle.mutate(t)}
                          aria-label={`${t.active ? 'Retire' : 'Offer'} ${t.slug}`}
                        >
                          {t.active ? 'Retire' : 'Offer'}
                        </button>
                        <button
                          type="button"
                          className="danger small"
                          aria-label={`Delete ${t.slug}`}
                          onClick={() => {
                            if (window.confirm(`Delete the template ${t.slug}?`)) remove.mutate(t);
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
        <h3>Add a template</h3>
        <div className="row">
          <TextField
            label="Slug"
            name="slug"
            placeholder="ubuntu-24.04"
            value={slug}
            onChange={(e) => setSlug(e.target.value)}
            error={form.errors.slug}
          />
          <TextField
            label="Name"
            name="name"
            placeholder="Ubuntu 24.04 LTS"
            value={name}
            onChange={(e) => setName(e.target.value)}
            error={form.errors.name}
          />
          <SelectField
            label="OS family"
            name="os_family"
            value={os}
            onChange={(e) => setOs(e.target.value as OsFamily)}
            error={form.errors.os_family}
          >
            {OS_FAMILIES.map((f) => (
              <option key={f}>{f}</option>
            ))}
          </SelectField>
          <TextField
            label="Smallest disk (GiB)"
            name="min_disk_gib"
            inputMode="numeric"
            value={disk}
            onChange={(e) => setDisk(e.target.value)}
            error={form.errors.min_disk_gib}
          />
          <SelectField
            label="On node"
            name="node"
            value={nodeId}
            onChange={(e) => setNodeId(e.target.value)}
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
            value={source}
            onChange={(e) => setSource(e.target.value)}
            error={form.errors['sources.0.source']}
            hint="Proxmox: the template VM to clone"
          />
        </div>
        <FormError message={form.summary} />
        <button type="submit" disabled={form.pending}>
          Add template
        </button>
      </form>
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
        <button
          type="button"
          className="secondary small"
          aria-label={`${size.active ? 'Retire' : 'Offer'} ${size.slug}`}
          onClick={() => toggle.mutate()}
        >
          {size.active ? 'Retire' : 'Offer'}
        </button>
        <button
          type="button"
          className="danger small"
          aria-label={`Delete ${size.slug}`}
          onClick={() => {
            if (window.confirm(`Delete the size ${size.slug}?`)) remove.mutate();
          }}
        >
          Delete
        </button>
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
  const [f, setF] = useState({
    slug: '',
    vcpus: '1',
    memory_mib: '1024',
    disk_gib: '25',
    hourly_price: '',
    monthly_cap: '',
    active: true,
  });
  const set = (k: keyof typeof f) => (e: React.ChangeEvent<HTMLInputElement>) =>
    setF({ ...f, [k]: k === 'active' ? e.target.checked : e.target.value });

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
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Slug</th>
                    <th scope="col">Specs</th>
                    <th scope="col">Per hour</th>
                    <th scope="col">Monthly cap</th>
                    <th scope="col">Offered</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {data.map((s) => (
                    <SizeRow key={s.id} size={s} onChanged={refresh} />
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </QueryView>
      <form onSubmit={submit} noValidate className="subform">
        <h3>Add a size</h3>
        <div className="row">
          <TextField
            label="Slug"
            name="slug"
            value={f.slug}
            onChange={set('slug')}
            error={form.errors.slug}
          />
          <TextField
            label="vCPUs"
            name="vcpus"
            inputMode="numeric"
            value={f.vcpus}
            onChange={set('vcpus')}
            error={form.errors.vcpus}
          />
          <TextField
            label="Memory (MiB)"
            name="memory_mib"
            inputMode="numeric"
            value={f.memory_mib}
            onChange={set('memory_mib')}
            error={form.errors.memory_mib}
          />
          <TextField
            label="Disk (GiB)"
            name="disk_gib"
            inputMode="numeric"
            value={f.disk_gib}
            onChange={set('disk_gib')}
            error={form.errors.disk_gib}
          />
          <TextField
            label="Price per hour (K)"
            name="hourly_price"
            placeholder="0.2232"
            value={f.hourly_price}
            onChange={set('hourly_price')}
            error={form.errors.hourly_price}
          />
          <TextField
            label="Monthly cap (K)"
            name="monthly_cap"
            placeholder="150.00"
            value={f.monthly_cap}
            onChange={set('monthly_cap')}
            error={form.errors.monthly_cap}
          />
        </div>
        <CheckboxField
          label="Offer it now"
          name="active"
          checked={f.active}
          onChange={set('active')}
        />
        <FormError message={form.summary} />
        <button type="submit" disabled={form.pending}>
          Add size
        </button>
      </form>
    </section>
  );
}

import { createDomainBody, type DomainStatus } from '@swiftcloud/contracts';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { FormError, TextField } from '../../components/fields';
import { Empty, QueryView } from '../../components/states';
import { DataTable } from '../../components/table';
import { useFormAction } from '../../lib/use-form-action';
import { validate } from '../../lib/validate';
import { useApi } from '../../session';
import { useProject } from '../projects/project-context';
import { can } from '../projects/roles';

export function domainStatusLabel(status: DomainStatus): string {
  return {
    pending: 'Waiting for delegation',
    active: 'Active',
    failed: 'Not delegated to SwiftCloud',
  }[status];
}

export function DomainsPage() {
  const project = useProject();
  const api = useApi();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const domains = useQuery({
    queryKey: ['domains', project.id],
    queryFn: () => api.domains.list(project.id),
  });
  const write = can(project.role).write;
  const form = useFormAction(['name']);
  const [name, setName] = useState('');

  async function submit(event: FormEvent) {
    event.preventDefault();
    const checked = validate(createDomainBody, { project_id: project.id, name });
    if (!checked.ok) return form.fail(checked.fields);
    const created = await form.run(() => api.domains.create(checked.data));
    if (created) {
      await queryClient.invalidateQueries({ queryKey: ['domains', project.id] });
      navigate(`/domains/${created.data.id}`);
    }
  }

  return (
    <section aria-labelledby="domains-heading">
      <h2 id="domains-heading">Domains</h2>
      <QueryView query={domains} label="Loading domains">
        {({ data }) =>
          data.length === 0 ? (
            <Empty>No domains in this project yet.</Empty>
          ) : (
            <DataTable columns={['Domain', 'Status']}>
              {data.map((d) => (
                <tr key={d.id}>
                  <td>
                    <Link to={`/domains/${d.id}`}>{d.name}</Link>
                  </td>
                  <td>
                    <span className={`badge domain-${d.status}`}>
                      {domainStatusLabel(d.status)}
                    </span>
                  </td>
                </tr>
              ))}
            </DataTable>
          )
        }
      </QueryView>
      {write ? (
        <form className="card narrow" onSubmit={submit} noValidate>
          <h3>Add a domain</h3>
          <TextField
            label="Domain name"
            name="name"
            placeholder="example.co.zm"
            value={name}
            onChange={(e) => setName(e.target.value)}
            error={form.errors.name}
            hint="The name you registered, without www."
          />
          <FormError message={form.summary} />
          <button type="submit" disabled={form.pending}>
            {form.pending ? 'Adding…' : 'Add domain'}
          </button>
        </form>
      ) : null}
    </section>
  );
}

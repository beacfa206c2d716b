import { createProjectBody } from '@swiftcloud/contracts';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { FormError, TextField } from '../../components/fields';
import { PageHeader } from '../../components/Layout';
import { Money } from '../../components/money';
import { Empty, QueryView } from '../../components/states';
import { useFormAction } from '../../lib/use-form-action';
import { validate } from '../../lib/validate';
import { useApi } from '../../session';
import { roleLabel } from './roles';

export function ProjectsPage() {
  const api = useApi();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const projects = useQuery({ queryKey: ['projects'], queryFn: () => api.projects.list() });
  const form = useFormAction(['name', 'description']);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');

  async function submit(event: FormEvent) {
    event.preventDefault();
    const checked = validate(createProjectBody, {
      name,
      description: description || undefined,
    });
    if (!checked.ok) return form.fail(checked.fields);
    const created = await form.run(() => api.projects.create(checked.data));
    if (created) {
      await queryClient.invalidateQueries({ queryKey: ['projects'] });
      navigate(`/projects/${created.data.id}`);
    }
  }

  return (
    <section>
      <PageHeader title="Projects" />
      <QueryView query={projects} label="Loading projects">
        {({ data }) =>
          data.length === 0 ? (
            <Empty>
              You have no projects yet. A project holds VMs, domains and a prepaid balance; create
              your first one below.
            </Empty>
          ) : (
            <ul className="cards" aria-label="Your projects">
              {data.map((p) => (
                <li key={p.id} className="card project-card">
                  <h2>
                    <Link to={`/projects/${p.id}`}>{p.name}</Link>
                  </h2>
                  {p.description ? <p className="muted">{p.description}</p> : null}
                  <dl className="facts">
                    <dt>Balance</dt>
                    <dd>
                      <Money amount={p.balance} />
                    </dd>
                    <dt>Resources</dt>
                    <dd>{p.resourceCount}</dd>
                    <dt>Your role</dt>
                    <dd>{roleLabel(p.role)}</dd>
                  </dl>
                </li>
              ))}
            </ul>
          )
        }
      </QueryView>
      <form className="card narrow" onSubmit={submit} noValidate>
        <h2>Create a project</h2>
        <TextField
          label="Project name"
          name="name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={form.errors.name}
          maxLength={64}
        />
        <TextField
          label="Description (optional)"
          name="description"
          value={description}
          onChange={(e) => setDescription(e.target.value)}
          error={form.errors.description}
          maxLength={500}
        />
        <FormError message={form.summary} />
        <button type="submit" disabled={form.pending}>
          {form.pending ? 'Creating…' : 'Create project'}
        </button>
      </form>
    </section>
  );
}

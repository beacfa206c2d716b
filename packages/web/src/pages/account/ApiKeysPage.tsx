import { createApiKeyBody, type ApiKey } from '@swiftcloud/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { CopyButton } from '../../components/CopyButton';
import { FormError, SelectField, TextField } from '../../components/fields';
import { PageHeader } from '../../components/Layout';
import { Empty, ErrorState, QueryView } from '../../components/states';
import { DataTable } from '../../components/table';
import { formatTime } from '../../lib/dates';
import { useFormAction } from '../../lib/use-form-action';
import { validate } from '../../lib/validate';
import { useApi } from '../../session';

export function ApiKeysPage() {
  const api = useApi();
  const queryClient = useQueryClient();
  const keys = useQuery({ queryKey: ['api-keys'], queryFn: () => api.apiKeys.list() });
  const projects = useQuery({ queryKey: ['projects'], queryFn: () => api.projects.list() });
  const form = useFormAction(['name', 'scope', 'project_id', 'expires_at']);
  const [name, setName] = useState('');
  const [scope, setScope] = useState<'read' | 'read_write'>('read_write');
  const [projectId, setProjectId] = useState('');
  const [secret, setSecret] = useState<{ name: string; key: string } | null>(null);
  const revoke = useMutation({
    mutationFn: (key: ApiKey) => api.apiKeys.revoke(key.id),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['api-keys'] }),
  });

  async function submit(event: FormEvent) {
    event.preventDefault();
    const checked = validate(createApiKeyBody, {
      name,
      scope,
      project_id: projectId || null,
    });
    if (!checked.ok) return form.fail(checked.fields);
    const created = await form.run(() => api.apiKeys.create(checked.data));
    if (created) {
      setSecret({ name: created.data.name, key: created.data.key });
      setName('');
      await queryClient.invalidateQueries({ queryKey: ['api-keys'] });
    }
  }

  const projectName = (id: string | null) =>
    id ? (projects.data?.data.find((p) => p.id === id)?.name ?? 'one project') : 'All projects';

  return (
    <section>
      <PageHeader title="API keys" />
      <p className="lead">
        Keys let scripts and the CLI call the API as you. Send one as{' '}
        <code>Authorization: Bearer sc_…</code>.
      </p>
      {secret ? (
        <div className="card secret" role="status">
          <h2>Your new key “{secret.name}”</h2>
          <p>Copy it now: SwiftCloud shows it only this once.</p>
          <div className="secret-row">
            <code data-testid="new-api-key">{secret.key}</code>
            <CopyButton text={secret.key} />
          </div>
          <button type="button" className="secondary small" onClick={() => setSecret(null)}>
            I have stored it
          </button>
        </div>
      ) : null}
      <form className="card" onSubmit={submit} noValidate>
        <h2>Create a key</h2>
        <div className="row">
          <TextField
            label="Name"
            name="name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            error={form.errors.name}
            hint="What uses it, such as “backup script”"
          />
          <SelectField
            label="Access"
            name="scope"
            value={scope}
            onChange={(e) => setScope(e.target.value as 'read' | 'read_write')}
            error={form.errors.scope}
          >
            <option value="read_write">Read and write</option>
            <option value="read">Read only</option>
          </SelectField>
          <SelectField
            label="Project"
            name="project_id"
            value={projectId}
            onChange={(e) => setProjectId(e.target.value)}
            error={form.errors.project_id}
          >
            <option value="">All my projects</option>
            {projects.data?.data.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </SelectField>
        </div>
        <FormError message={form.summary} />
        <button type="submit" disabled={form.pending}>
          {form.pending ? 'Creating…' : 'Create key'}
        </button>
      </form>
      <h2>Your keys</h2>
      {revoke.isError ? <ErrorState error={revoke.error} /> : null}
      <QueryView query={keys} label="Loading keys">
        {({ data }) =>
          data.length === 0 ? (
            <Empty>You have no API keys yet.</Empty>
          ) : (
            <DataTable columns={['Name', 'Key', 'Access', 'Project', 'Last used']} actions>
              {data.map((key) => (
                <tr key={key.id}>
                  <td>{key.name}</td>
                  <td>
                    <code>sc_{key.prefix}…</code>
                  </td>
                  <td>{key.scope === 'read' ? 'Read only' : 'Read and write'}</td>
                  <td>{projectName(key.projectId)}</td>
                  <td>{key.lastUsedAt ? formatTime(key.lastUsedAt) : 'Never'}</td>
                  <td className="cell-actions">
                    <button
                      type="button"
                      className="danger small"
                      disabled={revoke.isPending}
                      aria-label={`Revoke ${key.name}`}
                      onClick={() => {
                        if (
                          window.confirm(
                            `Revoke the key “${key.name}”? Anything using it stops working.`,
                          )
                        )
                          revoke.mutate(key);
                      }}
                    >
                      Revoke
                    </button>
                  </td>
                </tr>
              ))}
            </DataTable>
          )
        }
      </QueryView>
    </section>
  );
}

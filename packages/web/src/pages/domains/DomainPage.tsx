import type { DnsRecord, Domain, Project } from '@swiftcloud/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { describeError } from '../../api/errors';
import { PageHeader } from '../../components/Layout';
import { Empty, ErrorState, QueryView } from '../../components/states';
import { TypedConfirm } from '../../components/TypedConfirm';
import { DataTable } from '../../components/table';
import { formatTime } from '../../lib/dates';
import { useFormAction } from '../../lib/use-form-action';
import { useApi } from '../../session';
import { can } from '../projects/roles';
import { domainStatusLabel } from './DomainsPage';
import { RECORD_FIELDS, RecordForm, type RecordBody } from './RecordForm';

export function DomainPage() {
  const { domainId } = useParams();
  const api = useApi();
  const domain = useQuery({
    queryKey: ['domain', domainId],
    queryFn: async () => (await api.domains.get(domainId!)).data,
  });
  const project = useQuery({
    queryKey: ['projects', domain.data?.projectId],
    queryFn: async () => (await api.projects.get(domain.data!.projectId)).data,
    enabled: domain.data !== undefined,
  });
  return (
    <QueryView query={domain} rows={4} label="Loading the domain">
      {(d) => (
        <QueryView query={project} rows={4} label="Loading the domain">
          {(p) => <DomainView domain={d} project={p} />}
        </QueryView>
      )}
    </QueryView>
  );
}

function DomainView({ domain, project }: { domain: Domain; project: Project }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const write = can(project.role).write;
  const verify = useMutation({
    mutationFn: () => api.domains.verify(domain.id),
    onSuccess: (r) => queryClient.setQueryData(['domain', domain.id], r.data),
  });
  const remove = useMutation({
    mutationFn: () => api.domains.remove(domain.id),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['domains', project.id] });
      navigate(`/projects/${project.id}/domains`);
    },
  });

  return (
    <section>
      <PageHeader
        title={domain.name}
        crumbs={
          <>
            <Link to="/">Projects</Link> /{' '}
            <Link to={`/projects/${project.id}`}>{project.name}</Link> /{' '}
            <Link to={`/projects/${project.id}/domains`}>Domains</Link>
          </>
        }
      >
        <a
          className="button secondary"
          href={api.domains.zoneFileUrl(domain.id)}
          download={`${domain.name}.zone`}
        >
          Download zone file
        </a>
      </PageHeader>

      <div className="card">
        <h2>Nameservers</h2>
        <p>
          Status:{' '}
          <span className={`badge domain-${domain.status}`} data-testid="domain-status">
            {domainStatusLabel(domain.status)}
          </span>
        </p>
        <p>At your registrar, set the domain's nameservers to:</p>
        <ul className="plain mono">
          {domain.nameservers.map((ns) => (
            <li key={ns}>{ns}</li>
          ))}
        </ul>
        <p>
          Delegated now to:{' '}
          {domain.delegatedNameservers.length > 0 ? (
            <span className="mono">{domain.delegatedNameservers.join(', ')}</span>
          ) : (
            <span className="muted">no nameservers found</span>
          )}
          {domain.lastCheckedAt ? (
            <span className="muted"> (checked {formatTime(domain.lastCheckedAt)})</span>
          ) : (
            <span className="muted"> (not checked yet)</span>
          )}
        </p>
        {write ? (
          <button
            type="button"
            className="secondary"
            disabled={verify.isPending}
            onClick={() => verify.mutate()}
          >
            {verify.isPending ? 'Checking…' : 'Verify nameservers now'}
          </button>
        ) : null}
        {verify.isError ? <ErrorState error={verify.error} /> : null}
      </div>

      <Records domain={domain} write={write} />

      {write ? (
        <TypedConfirm
          what="domain"
          name={domain.name}
          consequence="SwiftCloud stops answering for this domain and its records are deleted."
          pending={remove.isPending}
          error={remove.isError ? describeError(remove.error) : null}
          onConfirm={() => remove.mutate()}
        />
      ) : null}
    </section>
  );
}

function Records({ domain, write }: { domain: Domain; write: boolean }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const key = ['domain', domain.id, 'records'];
  const records = useQuery({ queryKey: key, queryFn: () => api.domains.records(domain.id) });
  const [editing, setEditing] = useState<string | null>(null);
  const [formKey, setFormKey] = useState(0);
  const addForm = useFormAction(RECORD_FIELDS);
  const editForm = useFormAction(RECORD_FIELDS);
  const refresh = () => queryClient.invalidateQueries({ queryKey: key });
  const remove = useMutation({
    mutationFn: (r: DnsRecord) => api.domains.removeRecord(domain.id, r.id),
    onSuccess: refresh,
  });

  async function add(body: RecordBody) {
    const created = await addForm.run(() => api.domains.createRecord(domain.id, body));
    if (created) {
      setFormKey((k) => k + 1);
      await refresh();
    }
  }

  async function save(record: DnsRecord, body: RecordBody) {
    const updated = await editForm.run(() => api.domains.updateRecord(domain.id, record.id, body));
    if (updated) {
      setEditing(null);
      await refresh();
    }
  }

  return (
    <div className="card">
      <h2>Records</h2>
      {remove.isError ? <ErrorState error={remove.error} /> : null}
      <QueryView query={records} label="Loading records">
        {({ data }) =>
          data.length === 0 ? (
            <Empty>No records yet. The SOA and NS records are managed by SwiftCloud.</Empty>
          ) : (
            <DataTable columns={['Name', 'Type', 'Content', 'TTL', 'Priority']} actions={write}>
              {data.map((r) =>
                editing === r.id ? (
                  <tr key={r.id}>
                    <td colSpan={6}>
                      <RecordForm
                        initial={r}
                        form={editForm}
                        submitLabel="Save record"
                        onSubmit={(body) => save(r, body)}
                        onCancel={() => {
                          editForm.reset();
                          setEditing(null);
                        }}
                      />
                    </td>
                  </tr>
                ) : (
                  <tr key={r.id}>
                    <td className="mono">{r.name}</td>
                    <td>{r.type}</td>
                    <td className="mono break">{r.content}</td>
                    <td>{r.ttl}</td>
                    <td>{r.priority ?? '—'}</td>
                    {write ? (
                      <td className="cell-actions">
                        <button
                          type="button"
                          className="secondary small"
                          aria-label={`Edit ${r.type} record ${r.name}`}
                          onClick={() => {
                            editForm.reset();
                            setEditing(r.id);
                          }}
                        >
                          Edit
                        </button>
                        <button
                          type="button"
                          className="danger small"
                          aria-label={`Delete ${r.type} record ${r.name}`}
                          disabled={remove.isPending}
                          onClick={() => {
                            if (window.confirm(`Delete the ${r.type} record ${r.name}?`))
                              remove.mutate(r);
                          }}
                        >
                          Delete
                        </button>
                      </td>
                    ) : null}
                  </tr>
                ),
              )}
            </DataTable>
          )
        }
      </QueryView>
      {write ? (
        <section className="subform" aria-labelledby="add-record">
          <h3 id="add-record">Add a record</h3>
          <RecordForm key={formKey} form={addForm} submitLabel="Add record" onSubmit={add} />
        </section>
      ) : null}
    </div>
  );
}

import {
  addMemberBody,
  PROJECT_ROLES,
  updateProjectBody,
  type Member,
  type ProjectRole,
} from '@swiftcloud/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { describeError } from '../../api/errors';
import { FormError, SelectField, TextField } from '../../components/fields';
import { Empty, ErrorState, QueryView } from '../../components/states';
import { TypedConfirm } from '../../components/TypedConfirm';
import { SubForm } from '../../components/SubForm';
import { DataTable } from '../../components/table';
import { useFormAction } from '../../lib/use-form-action';
import { validate } from '../../lib/validate';
import { useApi, useUser } from '../../session';
import { useProject } from './project-context';
import { can, roleLabel } from './roles';

export function ProjectSettingsPage() {
  const project = useProject();
  const allowed = can(project.role);
  return (
    <>
      <p className="muted">
        Project id <code>{project.id}</code> (quote it to SwiftCloud's support)
      </p>
      {allowed.write ? <RenameForm /> : null}
      <Members />
      {allowed.manage ? <DeleteProject /> : null}
    </>
  );
}

function RenameForm() {
  const project = useProject();
  const api = useApi();
  const queryClient = useQueryClient();
  const form = useFormAction(['name', 'description']);
  const [name, setName] = useState(project.name);
  const [description, setDescription] = useState(project.description);
  const [saved, setSaved] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setSaved(false);
    const checked = validate(updateProjectBody, { name, description });
    if (!checked.ok) return form.fail(checked.fields);
    const updated = await form.run(() => api.projects.update(project.id, checked.data));
    if (updated) {
      queryClient.setQueryData(['projects', project.id], updated.data);
      await queryClient.invalidateQueries({ queryKey: ['projects'] });
      setSaved(true);
    }
  }

  return (
    <form className="card narrow" onSubmit={submit} noValidate>
      <h2>Name and description</h2>
      <TextField
        label="Project name"
        name="name"
        value={name}
        onChange={(e) => setName(e.target.value)}
        error={form.errors.name}
      />
      <TextField
        label="Description"
        name="description"
        value={description}
        onChange={(e) => setDescription(e.target.value)}
        error={form.errors.description}
      />
      <FormError message={form.summary} />
      {saved ? (
        <p className="notice" role="status">
          Saved.
        </p>
      ) : null}
      <button type="submit" disabled={form.pending}>
        {form.pending ? 'Saving…' : 'Save'}
      </button>
    </form>
  );
}

function Members() {
  const project = useProject();
  const user = useUser();
  const api = useApi();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const key = ['projects', project.id, 'members'];
  const members = useQuery({ queryKey: key, queryFn: () => api.projects.members(project.id) });
  const manage = can(project.role).manage;
  const refresh = () => queryClient.invalidateQueries({ queryKey: key });

  const change = useMutation({
    mutationFn: ({ member, role }: { member: Member; role: ProjectRole }) =>
      api.projects.updateMember(project.id, member.userId, { role }),
    onSettled: refresh,
  });
  const remove = useMutation({
    mutationFn: (member: Member) => api.projects.removeMember(project.id, member.userId),
    onSuccess: async (_r, member) => {
      if (member.userId === user.id) {
        await queryClient.invalidateQueries({ queryKey: ['projects'] });
        navigate('/');
      } else await refresh();
    },
  });

  return (
    <section className="card" aria-labelledby="members-heading">
      <h2 id="members-heading">Members</h2>
      <p className="muted">
        Owners manage members and money; members create and run resources; viewers only look.
      </p>
      {change.isError ? <ErrorState error={change.error} /> : null}
      {remove.isError ? <ErrorState error={remove.error} /> : null}
      <QueryView query={members} label="Loading members">
        {({ data }) =>
          data.length === 0 ? (
            <Empty>No members.</Empty>
          ) : (
            <DataTable columns={['Name', 'Email', 'Role']} actions>
              {data.map((m) => (
                <tr key={m.userId}>
                  <td>{m.name}</td>
                  <td>{m.email}</td>
                  <td>
                    {manage ? (
                      <select
                        aria-label={`Role of ${m.email}`}
                        value={m.role}
                        disabled={change.isPending}
                        onChange={(e) =>
                          change.mutate({ member: m, role: e.target.value as ProjectRole })
                        }
                      >
                        {PROJECT_ROLES.map((r) => (
                          <option key={r} value={r}>
                            {roleLabel(r)}
                          </option>
                        ))}
                      </select>
                    ) : (
                      roleLabel(m.role)
                    )}
                  </td>
                  <td className="cell-actions">
                    {manage || m.userId === user.id ? (
                      <button
                        type="button"
                        className="danger small"
                        disabled={remove.isPending}
                        onClick={() => {
                          const self = m.userId === user.id;
                          if (
                            window.confirm(
                              self
                                ? `Leave ${project.name}? You will lose access to it.`
                                : `Remove ${m.email} from ${project.name}?`,
                            )
                          )
                            remove.mutate(m);
                        }}
                      >
                        {m.userId === user.id ? 'Leave' : 'Remove'}
                      </button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </DataTable>
          )
        }
      </QueryView>
      {manage ? <AddMember onAdded={refresh} /> : null}
    </section>
  );
}

function AddMember({ onAdded }: { onAdded: () => Promise<void> }) {
  const project = useProject();
  const api = useApi();
  const form = useFormAction(['email', 'role']);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<ProjectRole>('member');

  async function submit(event: FormEvent) {
    event.preventDefault();
    const checked = validate(addMemberBody, { email, role });
    if (!checked.ok) return form.fail(checked.fields);
    const added = await form.run(() => api.projects.addMember(project.id, checked.data));
    if (added) {
      setEmail('');
      await onAdded();
    }
  }

  return (
    <SubForm
      title="Add a member"
      submitLabel="Add member"
      pendingLabel="Adding…"
      form={form}
      onSubmit={submit}
    >
      <div className="row">
        <TextField
          label="Their email"
          name="email"
          type="email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={form.errors.email}
          hint="They need a SwiftCloud account already."
        />
        <SelectField
          label="Role"
          name="role"
          value={role}
          onChange={(e) => setRole(e.target.value as ProjectRole)}
          error={form.errors.role}
        >
          {PROJECT_ROLES.map((r) => (
            <option key={r} value={r}>
              {roleLabel(r)}
            </option>
          ))}
        </SelectField>
      </div>
    </SubForm>
  );
}

function DeleteProject() {
  const project = useProject();
  const api = useApi();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: () => api.projects.remove(project.id),
    onSuccess: async () => {
      queryClient.removeQueries({ queryKey: ['projects', project.id] });
      await queryClient.invalidateQueries({ queryKey: ['projects'] });
      navigate('/');
    },
  });
  return (
    <TypedConfirm
      what="project"
      name={project.name}
      consequence="A project can be deleted once it holds no VMs or domains and its balance is zero."
      pending={remove.isPending}
      error={remove.isError ? describeError(remove.error) : null}
      onConfirm={() => remove.mutate()}
    />
  );
}

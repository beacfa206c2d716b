import { createVmBody, type Size, type Template } from '@swiftcloud/contracts';
import { useQuery, useQueryClient, type UseQueryResult } from '@tanstack/react-query';
import { useState, type FormEvent, type ReactNode } from 'react';
import { Link, useNavigate } from 'react-router';
import { CheckboxField, FormError, TextArea, TextField } from '../../components/fields';
import { Money, Rate } from '../../components/money';
import { Empty, QueryView } from '../../components/states';
import { costPreview, formatHours } from '../../lib/cost';
import { sshKeyProblem } from '../../lib/ssh-key';
import { useFormAction } from '../../lib/use-form-action';
import { validate } from '../../lib/validate';
import { useApi } from '../../session';
import { useBalance } from '../billing/balance';
import { useProject } from '../projects/project-context';

const FIELDS = ['name', 'template', 'size', 'ssh_key', 'public_ip'] as const;

function memory(mib: number): string {
  return mib % 1024 === 0 ? `${mib / 1024} GiB` : `${mib} MiB`;
}

/** One radio button per offered item (chosen by slug), with the group's error under it. */
function ChoiceFieldset<T extends { id: string; slug: string }>({
  legend,
  name,
  query,
  label,
  empty,
  value,
  onChange,
  error,
  children,
}: {
  legend: string;
  name: string;
  query: UseQueryResult<{ data: T[] }>;
  label: string;
  empty: string;
  value: string;
  onChange: (slug: string) => void;
  error: string | undefined;
  children: (item: T) => ReactNode;
}) {
  const errorId = `${name}-error`;
  return (
    <fieldset aria-describedby={error ? errorId : undefined}>
      <legend>{legend}</legend>
      <QueryView query={query} rows={2} label={label}>
        {({ data }) =>
          data.length === 0 ? (
            <Empty>{empty}</Empty>
          ) : (
            <div className="choices">
              {data.map((item) => (
                <label key={item.id} className="choice">
                  <input
                    type="radio"
                    name={name}
                    value={item.slug}
                    checked={value === item.slug}
                    onChange={() => onChange(item.slug)}
                  />
                  {children(item)}
                </label>
              ))}
            </div>
          )
        }
      </QueryView>
      {error ? (
        <span className="field-error" id={errorId}>
          {error}
        </span>
      ) : null}
    </fieldset>
  );
}

export function CreateVmPage() {
  const project = useProject();
  const api = useApi();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const templates = useQuery({ queryKey: ['templates'], queryFn: () => api.catalog.templates() });
  const sizes = useQuery({ queryKey: ['sizes'], queryFn: () => api.catalog.sizes() });
  const prices = useQuery({ queryKey: ['prices'], queryFn: () => api.billing.prices() });
  const balance = useBalance(project.id);
  const funds = balance.data?.balance ?? project.balance;
  const burn = balance.data?.hourlyBurnRate ?? null;
  const form = useFormAction(FIELDS);
  const [name, setName] = useState('');
  const [template, setTemplate] = useState('');
  const [size, setSize] = useState('');
  const [sshKey, setSshKey] = useState('');
  const [sshTouched, setSshTouched] = useState(false);
  const [publicIp, setPublicIp] = useState(true);

  const chosenSize = sizes.data?.data.find((s) => s.slug === size);
  const ipPrice = prices.data?.data.publicIpv4HourlyPrice ?? null;
  const preview = chosenSize
    ? costPreview(chosenSize, funds, burn, publicIp ? ipPrice : null)
    : null;
  const liveSshProblem = sshTouched ? sshKeyProblem(sshKey) : null;

  async function submit(event: FormEvent) {
    event.preventDefault();
    const body = {
      project_id: project.id,
      name,
      template,
      size,
      ssh_key: sshKey.trim(),
      public_ip: publicIp,
    };
    const checked = validate(createVmBody, body);
    const problems: Record<string, string> = checked.ok ? {} : { ...checked.fields };
    if (!template) problems.template = 'Choose a template';
    if (!size) problems.size = 'Choose a size';
    const keyProblem = sshKeyProblem(sshKey);
    if (keyProblem) problems.ssh_key = keyProblem;
    if (!checked.ok || Object.keys(problems).length > 0) {
      setSshTouched(true);
      return form.fail(problems);
    }
    const created = await form.run(() => api.vms.create(checked.data));
    if (created) {
      await queryClient.invalidateQueries({ queryKey: ['vms', project.id] });
      navigate(`/vms/${created.data.id}`);
    }
  }

  return (
    <form className="card create-vm" onSubmit={submit} noValidate aria-labelledby="create-vm">
      <h2 id="create-vm">Create a VM</h2>
      <TextField
        label="Name (its hostname)"
        name="name"
        value={name}
        onChange={(e) => setName(e.target.value.toLowerCase())}
        error={form.errors.name}
        hint="Lowercase letters, digits and hyphens, such as web-1"
        autoComplete="off"
        maxLength={63}
      />

      <ChoiceFieldset
        legend="Template"
        name="template"
        query={templates}
        label="Loading templates"
        empty="No templates are offered yet."
        value={template}
        onChange={setTemplate}
        error={form.errors.template}
      >
        {(t: Template) => (
          <>
            <span className="choice-title">{t.name}</span>
            <span className="muted">
              {t.slug} · needs {t.minDiskGiB} GiB disk
            </span>
          </>
        )}
      </ChoiceFieldset>

      <ChoiceFieldset
        legend="Size"
        name="size"
        query={sizes}
        label="Loading sizes"
        empty="No sizes are offered yet."
        value={size}
        onChange={setSize}
        error={form.errors.size}
      >
        {(s: Size) => (
          <>
            <span className="choice-title">{s.slug}</span>
            <span>
              {s.vcpus} vCPU · {memory(s.memoryMiB)} RAM · {s.diskGiB} GiB disk
            </span>
            <span>
              <Rate rate={s.hourlyPrice} per="hour" /> · at most <Money amount={s.monthlyCap} /> a
              month
            </span>
          </>
        )}
      </ChoiceFieldset>

      <TextArea
        label="SSH public key"
        name="ssh_key"
        rows={3}
        value={sshKey}
        onChange={(e) => setSshKey(e.target.value)}
        onBlur={() => setSshTouched(true)}
        error={form.errors.ssh_key ?? liveSshProblem ?? undefined}
        hint="The .pub file's one line, such as ssh-ed25519 AAAA… you@laptop"
        spellCheck={false}
      />
      <CheckboxField
        label="Public IPv4 address"
        name="public_ip"
        checked={publicIp}
        onChange={(e) => setPublicIp(e.target.checked)}
        hint="Reachable from the internet. Without it, the VM gets a private address only."
      />

      <div className="cost" aria-live="polite" data-testid="cost-preview">
        <h3>Cost</h3>
        {preview ? (
          <>
            <p>
              <Rate rate={preview.hourly} per="hour" />
              {preview.publicIpHourly > 0n ? (
                <>
                  {' '}
                  (of which the public IPv4 address{' '}
                  <Rate rate={preview.publicIpHourly} per="hour" />)
                </>
              ) : publicIp && ipPrice === null ? (
                ', plus the public IPv4 address by the hour'
              ) : null}
              , the size at most <Money amount={preview.monthlyCap} /> a month, from the project's
              balance of <Money amount={funds} />.
            </p>
            {preview.insufficient ? (
              <p className="warning">
                The balance does not cover one hour of this VM. Top up on the{' '}
                <Link to={`/projects/${project.id}/billing`}>Billing</Link> page first.
              </p>
            ) : preview.hoursLeftAfter !== null ? (
              <p>
                With this VM the balance lasts about {formatHours(preview.hoursLeftAfter)}
                {preview.burnAfter !== null ? (
                  <>
                    {' '}
                    at <Rate rate={preview.burnAfter} per="hour" />
                  </>
                ) : null}
                .
              </p>
            ) : null}
          </>
        ) : (
          <p className="muted">Choose a size to see what the VM costs.</p>
        )}
      </div>

      <FormError message={form.summary} />
      <div className="actions">
        <button type="submit" disabled={form.pending}>
          {form.pending ? 'Creating…' : 'Create VM'}
        </button>
        <Link className="button secondary" to={`/projects/${project.id}/vms`}>
          Cancel
        </Link>
      </div>
    </form>
  );
}

import {
  createRecordBody,
  DNS_TTL,
  RECORD_TYPES,
  type CustomerRecordType,
  type DnsRecord,
} from '@swiftcloud/contracts';
import { useState, type FormEvent } from 'react';
import { FormError, SelectField, TextField } from '../../components/fields';
import type { FormAction } from '../../lib/use-form-action';
import { validate } from '../../lib/validate';

export const RECORD_FIELDS = ['name', 'type', 'content', 'ttl', 'priority'] as const;

const CONTENT_HINT: Record<CustomerRecordType, string> = {
  A: 'An IPv4 address, such as 192.0.2.10',
  AAAA: 'An IPv6 address, such as 2001:db8::10',
  CNAME: 'A host name, such as app.example.net',
  MX: 'The mail server, such as mail.example.co.zm',
  TXT: 'Any text, such as v=spf1 mx -all',
  NS: 'A nameserver, such as ns1.example.net',
  SRV: 'weight port target, such as 10 5060 sip.example.co.zm',
  CAA: 'flags tag "value", such as 0 issue "letsencrypt.org"',
};

export interface RecordBody {
  name: string;
  type: CustomerRecordType;
  content: string;
  ttl?: number | undefined;
  priority?: number | null | undefined;
}

/** Add or edit one record; the API's refusals land next to the field they name. */
export function RecordForm({
  initial,
  form,
  submitLabel,
  onSubmit,
  onCancel,
}: {
  initial?: DnsRecord;
  form: FormAction;
  submitLabel: string;
  onSubmit: (body: RecordBody) => Promise<void>;
  onCancel?: () => void;
}) {
  const [name, setName] = useState(initial?.name ?? '@');
  const [type, setType] = useState<CustomerRecordType>(initial?.type ?? 'A');
  const [content, setContent] = useState(initial?.content ?? '');
  const [ttl, setTtl] = useState(initial ? String(initial.ttl) : '');
  const [priority, setPriority] = useState(
    initial?.priority !== null && initial?.priority !== undefined ? String(initial.priority) : '',
  );
  const needsPriority = type === 'MX' || type === 'SRV';

  async function submit(event: FormEvent) {
    event.preventDefault();
    const body: RecordBody = {
      name,
      type,
      content,
      ttl: ttl.trim() === '' ? undefined : Number(ttl),
      priority: needsPriority ? (priority.trim() === '' ? null : Number(priority)) : null,
    };
    const checked = validate(createRecordBody, body);
    if (!checked.ok) return form.fail(checked.fields);
    await onSubmit(body);
  }

  return (
    <form onSubmit={submit} noValidate className="record-form">
      <div className="row">
        <TextField
          label="Name"
          name="name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={form.errors.name}
          hint="@ for the domain itself, or www, mail…"
        />
        <SelectField
          label="Type"
          name="type"
          value={type}
          onChange={(e) => setType(e.target.value as CustomerRecordType)}
          error={form.errors.type}
        >
          {RECORD_TYPES.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </SelectField>
        <TextField
          label="Content"
          name="content"
          value={content}
          onChange={(e) => setContent(e.target.value)}
          error={form.errors.content}
          hint={CONTENT_HINT[type]}
        />
        <TextField
          label="TTL (seconds)"
          name="ttl"
          inputMode="numeric"
          placeholder={String(DNS_TTL.default)}
          value={ttl}
          onChange={(e) => setTtl(e.target.value)}
          error={form.errors.ttl}
        />
        {needsPriority ? (
          <TextField
            label="Priority"
            name="priority"
            inputMode="numeric"
            value={priority}
            onChange={(e) => setPriority(e.target.value)}
            error={form.errors.priority}
          />
        ) : null}
      </div>
      <FormError message={form.summary} />
      <div className="actions">
        <button type="submit" disabled={form.pending}>
          {form.pending ? 'Saving…' : submitLabel}
        </button>
        {onCancel ? (
          <button type="button" className="secondary" onClick={onCancel}>
            Cancel
          </button>
        ) : null}
      </div>
    </form>
  );
}

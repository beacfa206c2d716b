import { loginBody, registerBody } from '@swiftcloud/contracts';
import { useState, type FormEvent, type InputHTMLAttributes, type ReactNode } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { FormError, TextField } from '../../components/fields';
import { useFormAction, type FormAction } from '../../lib/use-form-action';
import { validate } from '../../lib/validate';
import { useSession } from '../../session';

/** Only paths inside the console, so a crafted link cannot send someone elsewhere. */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

/** The card both auth forms sit in: brand, title, fields, what failed, the button, a way across. */
function AuthCard({
  title,
  form,
  onSubmit,
  submitLabel,
  pendingLabel,
  footer,
  children,
}: {
  title: string;
  form: FormAction;
  onSubmit: (event: FormEvent) => unknown;
  submitLabel: string;
  pendingLabel: string;
  footer: ReactNode;
  children: ReactNode;
}) {
  return (
    <main className="auth-page" id="main">
      <form className="card auth-card" onSubmit={onSubmit} noValidate>
        <p className="brand">SwiftCloud</p>
        <h1>{title}</h1>
        {children}
        <FormError message={form.summary} />
        <button type="submit" disabled={form.pending}>
          {form.pending ? pendingLabel : submitLabel}
        </button>
        <p>{footer}</p>
      </form>
    </main>
  );
}

/** The email field, the same on both forms; its error comes with the other props. */
function EmailField(input: { error: string | undefined } & InputHTMLAttributes<HTMLInputElement>) {
  return (
    <TextField label="Email" name="email" type="email" autoComplete="email" required {...input} />
  );
}

export function SignInPage() {
  const { api, signedIn } = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const form = useFormAction(['email', 'password']);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');

  async function submit(event: FormEvent) {
    event.preventDefault();
    const checked = validate(loginBody, { email, password });
    if (!checked.ok) return form.fail(checked.fields);
    const session = await form.run(() => api.auth.login(checked.data));
    if (session) {
      signedIn(session.data);
      navigate(safeNext(params.get('next')), { replace: true });
    }
  }

  return (
    <AuthCard
      title="Sign in"
      form={form}
      onSubmit={submit}
      submitLabel="Sign in"
      pendingLabel="Signing in…"
      footer={
        <>
          New to SwiftCloud? <Link to="/signup">Create an account</Link>
        </>
      }
    >
      <EmailField
        error={form.errors.email}
        value={email}
        onChange={(e) => setEmail(e.target.value)}
      />
      <TextField
        label="Password"
        name="password"
        type="password"
        autoComplete="current-password"
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        error={form.errors.password}
        required
      />
    </AuthCard>
  );
}

export function SignUpPage() {
  const { api, signedIn } = useSession();
  const navigate = useNavigate();
  const form = useFormAction(['name', 'email', 'password']);
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');

  async function submit(event: FormEvent) {
    event.preventDefault();
    const checked = validate(registerBody, { name, email, password });
    if (!checked.ok) return form.fail(checked.fields);
    const session = await form.run(() => api.auth.register(checked.data));
    if (session) {
      signedIn(session.data);
      navigate('/', { replace: true });
    }
  }

  return (
    <AuthCard
      title="Create your account"
      form={form}
      onSubmit={submit}
      submitLabel="Create account"
      pendingLabel="Creating…"
      footer={
        <>
          Have an account? <Link to="/signin">Sign in</Link>
        </>
      }
    >
      <TextField
        label="Name"
        name="name"
        autoComplete="name"
        value={name}
        onChange={(e) => setName(e.target.value)}
        error={form.errors.name}
        required
      />
      <EmailField
        error={form.errors.email}
        value={email}
        onChange={(e) => setEmail(e.target.value)}
      />
      <TextField
        label="Password"
        name="password"
        type="password"
        autoComplete="new-password"
        hint="At least 10 characters"
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        error={form.errors.password}
        required
      />
    </AuthCard>
  );
}

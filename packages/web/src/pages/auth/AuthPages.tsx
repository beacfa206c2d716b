import { loginBody, registerBody } from '@swiftcloud/contracts';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { FormError, TextField } from '../../components/fields';
import { useFormAction } from '../../lib/use-form-action';
import { validate } from '../../lib/validate';
import { useSession } from '../../session';

/** Only paths inside the console, so a crafted link cannot send someone elsewhere. */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
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
    <main className="auth-page" id="main">
      <form className="card auth-card" onSubmit={submit} noValidate>
        <p className="brand">SwiftCloud</p>
        <h1>Sign in</h1>
        <TextField
          label="Email"
          name="email"
          type="email"
          autoComplete="email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={form.errors.email}
          required
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
        <FormError message={form.summary} />
        <button type="submit" disabled={form.pending}>
          {form.pending ? 'Signing in…' : 'Sign in'}
        </button>
        <p>
          New to SwiftCloud? <Link to="/signup">Create an account</Link>
        </p>
      </form>
    </main>
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
    <main className="auth-page" id="main">
      <form className="card auth-card" onSubmit={submit} noValidate>
        <p className="brand">SwiftCloud</p>
        <h1>Create your account</h1>
        <TextField
          label="Name"
          name="name"
          autoComplete="name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={form.errors.name}
          required
        />
        <TextField
          label="Email"
          name="email"
          type="email"
          autoComplete="email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={form.errors.email}
          required
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
        <FormError message={form.summary} />
        <button type="submit" disabled={form.pending}>
          {form.pending ? 'Creating…' : 'Create account'}
        </button>
        <p>
          Have an account? <Link to="/signin">Sign in</Link>
        </p>
      </form>
    </main>
  );
}

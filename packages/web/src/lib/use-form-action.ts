import { useCallback, useState } from 'react';
import { formErrors } from '../api/errors';

export interface FormAction {
  pending: boolean;
  errors: Record<string, string>;
  summary: string | null;
  /** Shows these messages (from client-side checks) without calling the API. */
  fail(fields: Record<string, string>): void;
  /** Runs the call; its failure lands next to the named fields, the rest in `summary`. */
  run<T>(call: () => Promise<T>): Promise<T | undefined>;
  reset(): void;
}

/** The state of a form that talks to the API: pending, and its errors by field. */
export function useFormAction(fields: readonly string[]): FormAction {
  const [pending, setPending] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [summary, setSummary] = useState<string | null>(null);
  const key = fields.join(',');

  const fail = useCallback(
    (f: Record<string, string>) => {
      const placed: Record<string, string> = {};
      const rest: string[] = [];
      for (const [k, v] of Object.entries(f)) {
        if (key.split(',').includes(k)) placed[k] = v;
        else rest.push(v);
      }
      setErrors(placed);
      setSummary(rest.length > 0 ? rest.join(' ') : null);
    },
    [key],
  );

  const run = useCallback(
    async <T>(call: () => Promise<T>): Promise<T | undefined> => {
      setPending(true);
      setErrors({});
      setSummary(null);
      try {
        return await call();
      } catch (error) {
        const { fields: placed, summary: rest } = formErrors(error, key.split(','));
        setErrors(placed);
        setSummary(rest);
        return undefined;
      } finally {
        setPending(false);
      }
    },
    [key],
  );

  const reset = useCallback(() => {
    setErrors({});
    setSummary(null);
  }, []);

  return { pending, errors, summary, fail, run, reset };
}

import { useState, type ChangeEvent } from 'react';

type TextKeys<T> = { [K in keyof T]: T[K] extends string ? K : never }[keyof T];
type FlagKeys<T> = { [K in keyof T]: T[K] extends boolean ? K : never }[keyof T];

/**
 * A form's values in one object, and the `value`/`onChange` (or `checked`/`onChange`)
 * that bind each input to its key.
 */
export function useFields<T extends object>(initial: T) {
  const [values, setValues] = useState(initial);
  const text = (key: TextKeys<T>) => ({
    value: values[key] as string,
    onChange: (e: ChangeEvent<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>) =>
      setValues((v) => ({ ...v, [key]: e.target.value })),
  });
  const flag = (key: FlagKeys<T>) => ({
    checked: values[key] as boolean,
    onChange: (e: ChangeEvent<HTMLInputElement>) =>
      setValues((v) => ({ ...v, [key]: e.target.checked })),
  });
  return { values, setValues, text, flag };
}

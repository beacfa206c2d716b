import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../api/errors';
import { useFormAction } from '../../lib/use-form-action';
import { RECORD_FIELDS, RecordForm, type RecordBody } from './RecordForm';

function Harness({ save }: { save: (body: RecordBody) => Promise<unknown> }) {
  const form = useFormAction(RECORD_FIELDS);
  return (
    <RecordForm
      form={form}
      submitLabel="Add record"
      onSubmit={async (body) => {
        await form.run(() => save(body));
      }}
    />
  );
}

afterEach(cleanup);

describe('the record form', () => {
  it("puts the API's refusal next to the field it names", async () => {
    const save = vi.fn(async () => {
      throw new ApiError(400, 'VALIDATION_ERROR', 'content must be an IPv4 address', [
        { field: 'content', message: 'content must be an IPv4 address such as 192.0.2.1' },
      ]);
    });
    render(<Harness save={save} />);
    fireEvent.change(screen.getByLabelText('Content'), { target: { value: '999.1.1.1' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add record' }));
    await waitFor(() => expect(save).toHaveBeenCalledOnce());
    const content = screen.getByLabelText('Content');
    await waitFor(() => expect(content.getAttribute('aria-invalid')).toBe('true'));
    const errorId = content
      .getAttribute('aria-describedby')!
      .split(' ')
      .find((id) => id.endsWith('-error'))!;
    expect(document.getElementById(errorId)!.textContent).toBe(
      'content must be an IPv4 address such as 192.0.2.1',
    );
    expect(screen.getByLabelText('Name').getAttribute('aria-invalid')).toBeNull();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('checks with the contract before sending, in the API’s words', async () => {
    const save = vi.fn(async () => undefined);
    render(<Harness save={save} />);
    fireEvent.change(screen.getByLabelText('Content'), { target: { value: '192.0.2.1' } });
    fireEvent.change(screen.getByLabelText('TTL (seconds)'), { target: { value: '5' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add record' }));
    await screen.findByText('ttl must be at least 60 seconds');
    expect(save).not.toHaveBeenCalled();
  });

  it('asks for a priority only for MX and SRV, and sends null otherwise', async () => {
    const save = vi.fn(async (_body: RecordBody) => undefined);
    render(<Harness save={save} />);
    expect(screen.queryByLabelText('Priority')).toBeNull();
    fireEvent.change(screen.getByLabelText('Type'), { target: { value: 'MX' } });
    expect(screen.getByLabelText('Priority')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Priority'), { target: { value: '10' } });
    fireEvent.change(screen.getByLabelText('Content'), { target: { value: 'mail.example.co.zm' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add record' }));
    await waitFor(() => expect(save).toHaveBeenCalledOnce());
    expect(save.mock.calls[0]![0]).toEqual({
      name: '@',
      type: 'MX',
      content: 'mail.example.co.zm',
      ttl: undefined,
      priority: 10,
    });
  });

  it('shows a failure that names no field above the button', async () => {
    const save = vi.fn(async () => {
      throw new ApiError(409, 'CONFLICT', 'This record exists already');
    });
    render(<Harness save={save} />);
    fireEvent.change(screen.getByLabelText('Content'), { target: { value: '192.0.2.1' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add record' }));
    expect((await screen.findByRole('alert')).textContent).toBe('This record exists already');
  });
});

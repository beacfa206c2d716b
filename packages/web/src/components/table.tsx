import type { ReactNode } from 'react';

/**
 * A scrollable table with a header row of column names; with `actions`, a last column
 * for row buttons whose header only screen readers hear.
 */
export function DataTable({
  columns,
  actions = false,
  before,
  children,
}: {
  columns: readonly string[];
  actions?: boolean;
  /** Shown above the table, inside its scrolling frame (such as a count). */
  before?: ReactNode;
  children: ReactNode;
}) {
  return (
    <div className="table-wrap">
      {before}
      <table>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
            {actions ? (
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

/** A small row button named for what it does and to which row (`Pause pve1`). */
export function RowButton({
  action,
  subject,
  danger = false,
  disabled,
  onClick,
}: {
  action: string;
  subject: string;
  danger?: boolean;
  disabled?: boolean;
  onClick: () => void;
}) {
  return (
    <button
      type="button"
      className={danger ? 'danger small' : 'secondary small'}
      aria-label={`${action} ${subject}`}
      disabled={disabled}
      onClick={onClick}
    >
      {action}
    </button>
  );
}

/** Deletes a row after the browser's confirmation (`Delete the node pve1?`). */
export function DeleteButton({
  what,
  subject,
  onDelete,
}: {
  /** The kind of thing, as the confirmation names it: `node`, `pool`. */
  what: string;
  subject: string;
  onDelete: () => void;
}) {
  return (
    <RowButton
      action="Delete"
      subject={subject}
      danger
      onClick={() => {
        if (window.confirm(`Delete the ${what} ${subject}?`)) onDelete();
      }}
    />
  );
}

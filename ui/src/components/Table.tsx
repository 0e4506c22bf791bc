/**
 * The ADS dynamic table, reduced to what the console needs: a caption, column headers and
 * rows. Below 600 px each row becomes a stacked card whose cells carry their column's name,
 * so nothing scrolls sideways on a phone.
 */
import type { ComponentChildren } from 'preact';

export interface Column<T> {
  key: string;
  label: string;
  cell: (row: T) => ComponentChildren;
}

export function Table<T>(props: { caption: string; columns: Column<T>[]; rows: T[]; rowKey: (row: T) => string; empty: ComponentChildren }) {
  if (props.rows.length === 0) return <div class="empty-state">{props.empty}</div>;
  return (
    <table class="dynamic-table">
      <caption class="visually-hidden">{props.caption}</caption>
      <thead>
        <tr>
          {props.columns.map((c) => (
            <th key={c.key} scope="col">
              {c.label}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {props.rows.map((row) => (
          <tr key={props.rowKey(row)}>
            {props.columns.map((c) => (
              <td key={c.key} data-label={c.label}>
                {c.cell(row)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * Writes a PostgreSQL array literal (`{"a","b",NULL}`) for one statement parameter, cast in
 * SQL to the element type (`$1::bigint[]`). Elements are quoted, so any text is safe.
 */
export function pgArray(values: readonly (string | number | null)[]): string {
  const items = values.map((value) => {
    if (value === null) return 'NULL';
    const text = typeof value === 'number' ? String(value) : value;
    return `"${text.replace(/[\\"]/g, (ch) => `\\${ch}`)}"`;
  });
  return `{${items.join(',')}}`;
}

/**
 * PostgreSQL's TEXT cannot hold NUL, which SQLite stores and a hostile feed can send in a title;
 * free text is stored with U+FFFD in its place rather than failing the whole batch.
 */
export function pgText<T extends string | null | undefined>(value: T): T {
  return (
    typeof value === 'string' && value.includes('\u0000') ? value.replaceAll('\u0000', '\uFFFD') : value
  ) as T;
}

/**
 * `tweet.fields`, `user.fields`, … as X takes them: one comma-separated parameter each, left out when
 * nothing is asked for (an empty value is a 400 at X).
 */
export function fieldsQuery(
  lists: Record<string, readonly string[] | undefined>,
): Record<string, string | undefined> {
  const query: Record<string, string | undefined> = {};
  for (const [name, values] of Object.entries(lists)) {
    if (values && values.length > 0) query[name] = [...new Set(values)].join(',');
  }
  return query;
}

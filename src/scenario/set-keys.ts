/**
 * zod leaves an optional key that was not written as `key: undefined`; the
 * simulator's Partial configs (under exactOptionalPropertyTypes) take only
 * the keys that are set. One helper for both the run spec and the
 * validation of client configs.
 */
export function setKeysOnly<T extends object>(object: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) if (value !== undefined) out[key] = value;
  return out as { [K in keyof T]?: Exclude<T[K], undefined> };
}

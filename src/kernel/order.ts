/**
 * Orders the program defines, for sorting names: determinism needs an order
 * that does not depend on the locale or the engine (so no localeCompare),
 * and the tidy rules forbid `.sort()` without a comparator.
 */

/** Code-unit order of two strings, as `<` compares them. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

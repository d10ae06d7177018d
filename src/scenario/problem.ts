/**
 * A problem with a scenario document, as the user sees it: where (a path),
 * what was expected, what was given, shortened so a megabyte string or a
 * cyclic YAML alias never floods the terminal.
 */

export interface ScenarioProblem {
  /** Where, as a path: `producers[0].config["linger.ms"]` ("" for the document itself). */
  path: string;
  /** What is wrong, saying what was expected. */
  message: string;
  /** What was given there, shortened (absent when nothing was). */
  given?: string;
}

/** The most characters of a given value (or a path key) a problem quotes. */
export const GIVEN_MAX_CHARS = 80;

export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else if (typeof key === "string" && key.length <= GIVEN_MAX_CHARS && /^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) out += out === "" ? key : `.${key}`;
    else out += `[${JSON.stringify(String(key).length > GIVEN_MAX_CHARS ? `${String(key).slice(0, GIVEN_MAX_CHARS - 1)}…` : String(key))}]`;
  }
  return out;
}

/**
 * A value as compact JSON-like text of at most GIVEN_MAX_CHARS characters.
 * Bounded in time and depth whatever it is given (cycles from YAML aliases,
 * megabyte strings, NaN, -0, bigints), and never throws.
 */
export function preview(value: unknown): string {
  const parts: string[] = [];
  let length = 0;
  const seen = new Set<object>();
  const emit = (text: string): boolean => {
    parts.push(text);
    length += text.length;
    return length <= GIVEN_MAX_CHARS;
  };
  const write = (item: unknown, depth: number): boolean => {
    if (item === null || item === undefined || typeof item === "boolean") return emit(String(item));
    if (typeof item === "number") return emit(Object.is(item, -0) ? "-0" : String(item));
    if (typeof item === "bigint") return emit(`${item}n`);
    if (typeof item === "string") return emit(JSON.stringify(item.length > GIVEN_MAX_CHARS ? item.slice(0, GIVEN_MAX_CHARS) : item) + (item.length > GIVEN_MAX_CHARS ? "…" : ""));
    if (typeof item !== "object") return emit(`[${typeof item}]`);
    if (seen.has(item)) return emit("[circular]");
    if (depth >= 8) return emit(Array.isArray(item) ? "[…]" : "{…}");
    seen.add(item);
    try {
      if (Array.isArray(item)) {
        if (!emit("[")) return false;
        for (let n = 0; n < item.length; n += 1) {
          if ((n > 0 && !emit(",")) || !write(item[n], depth + 1)) return false;
        }
        return emit("]");
      }
      const prototype: unknown = Object.getPrototypeOf(item);
      if (prototype !== Object.prototype && prototype !== null) return emit(Object.prototype.toString.call(item));
      if (!emit("{")) return false;
      let first = true;
      for (const key of Object.keys(item)) {
        if ((!first && !emit(",")) || !emit(`${JSON.stringify(key)}:`) || !write((item as Record<string, unknown>)[key], depth + 1)) return false;
        first = false;
      }
      return emit("}");
    } finally {
      seen.delete(item);
    }
  };
  try {
    write(value, 0);
  } catch {
    return Object.prototype.toString.call(value);
  }
  const text = parts.join("");
  return text.length > GIVEN_MAX_CHARS ? `${text.slice(0, GIVEN_MAX_CHARS - 1)}…` : text;
}

/** Problems as lines for a terminal: `producers[0].rate: expected a rate such as "5k/s" (given: "fast")`. */
export function formatProblems(problems: readonly ScenarioProblem[]): string {
  return problems.map((problem) => `${problem.path === "" ? "(document)" : problem.path}: ${problem.message}${problem.given === undefined ? "" : ` (given: ${problem.given})`}`).join("\n");
}

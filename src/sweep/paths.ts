/**
 * Parameter paths: where in a scenario document a swept value goes.
 *
 * Kafka's own config names contain dots (`min.insync.replicas`), so a plain
 * dotted path would be ambiguous; keys that are not plain words are written in
 * brackets instead, as the loader prints them in its problems:
 *
 *   cluster.brokers
 *   producers[0].config.acks
 *   config["min.insync.replicas"]          (or 'min.insync.replicas')
 *   /config/min.insync.replicas            (a JSON Pointer, RFC 6901)
 *
 * Every form parses to the same segments and prints back in one canonical
 * form (formatParameterPath), which is the parameter's name in keys, seeds,
 * tables and reports, so `config['x.y']` and `/config/x.y` are one parameter.
 */

export type PathSegment = string | number;

export type PathParse = { ok: true; segments: PathSegment[]; end: number } | { ok: false; message: string };

/** Longest path accepted (the schema's own limit for a sweep key). */
export const PARAMETER_PATH_MAX_CHARS = 200;

const WORD = /^[A-Za-z0-9_-]+$/;
const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
const INDEX_MAX = 1_000_000;

/** A whole path; `stopAt` ends it early at a character outside brackets and quotes ("=" in a --set flag). */
export function parseParameterPath(text: string, stopAt?: string): PathParse {
  if (text.startsWith("/")) return parsePointer(text, stopAt);
  const segments: PathSegment[] = [];
  let at = 0;
  const fail = (what: string): PathParse => ({ ok: false, message: `expected ${what} at character ${at + 1} of ${JSON.stringify(text)}; keys with dots are written in brackets, e.g. config["min.insync.replicas"]` });
  while (at < text.length && text[at] !== stopAt) {
    if (text[at] === "[") {
      const close = bracketEnd(text, at);
      if (close === -1) return fail("a closing ]");
      const inner = text.slice(at + 1, close).trim();
      const segment = bracketSegment(inner);
      if (segment === undefined) return fail('an index [0] or a quoted key ["a.b"]');
      segments.push(segment);
      at = close + 1;
      continue;
    }
    if (segments.length > 0) {
      if (text[at] !== ".") return fail('"." or "["');
      at += 1;
    }
    let end = at;
    while (end < text.length && text[end] !== "." && text[end] !== "[" && text[end] !== stopAt) end += 1;
    const word = text.slice(at, end);
    if (!WORD.test(word)) return fail("a key of letters, digits, '_' or '-'");
    // A dotted index (producers.0.rate) means what producers[0].rate means.
    segments.push(/^(0|[1-9][0-9]*)$/.test(word) ? Number(word) : word);
    at = end;
  }
  return checked(segments, at, text);
}

/** JSON Pointer: "/" separated, "~1" for "/", "~0" for "~"; all-digit segments index lists. */
function parsePointer(text: string, stopAt?: string): PathParse {
  const stop = stopAt === undefined ? -1 : text.indexOf(stopAt);
  const end = stop === -1 ? text.length : stop;
  const parts = text.slice(1, end).split("/");
  const segments: PathSegment[] = [];
  for (const part of parts) {
    if (part === "" || /~[^01]|~$/.test(part)) return { ok: false, message: `expected a JSON Pointer such as /config/min.insync.replicas, got ${JSON.stringify(text.slice(0, end))}` };
    const key = part.replace(/~1/g, "/").replace(/~0/g, "~");
    segments.push(/^(0|[1-9][0-9]*)$/.test(key) ? Number(key) : key);
  }
  return checked(segments, end, text);
}

function checked(segments: PathSegment[], end: number, text: string): PathParse {
  if (segments.length === 0) return { ok: false, message: `expected a parameter path such as cluster.brokers, got ${JSON.stringify(text.slice(0, end))}` };
  for (const segment of segments) {
    if (typeof segment === "number" && segment > INDEX_MAX) return { ok: false, message: `expected a list index of at most ${INDEX_MAX}, got ${segment}` };
    // Assigning "__proto__" would replace an object's prototype instead of setting a key.
    if (segment === "__proto__") return { ok: false, message: 'expected a parameter path, got one through "__proto__"' };
  }
  if (typeof segments[0] === "number") return { ok: false, message: `expected a path that starts with a key of the scenario (a mapping), got ${JSON.stringify(text.slice(0, end))}` };
  return { ok: true, segments, end };
}

/** Index of the "]" closing the "[" at `open`, skipping quoted text; -1 when there is none. */
function bracketEnd(text: string, open: number): number {
  let quote: string | null = null;
  for (let k = open + 1; k < text.length; k += 1) {
    const c = text[k]!;
    if (quote !== null) {
      if (c === "\\") k += 1;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "]") return k;
  }
  return -1;
}

function bracketSegment(inner: string): PathSegment | undefined {
  if (/^(0|[1-9][0-9]*)$/.test(inner)) return Number(inner);
  if (inner.length >= 2 && inner.startsWith('"') && inner.endsWith('"')) {
    try {
      const key: unknown = JSON.parse(inner);
      return typeof key === "string" && key !== "" ? key : undefined;
    } catch {
      return undefined;
    }
  }
  if (inner.length >= 3 && inner.startsWith("'") && inner.endsWith("'")) {
    const body = inner.slice(1, -1);
    // Only \' and \\ are escapes inside single quotes.
    if (/(^|[^\\])(\\\\)*'/.test(body)) return undefined;
    return body.replace(/\\(['\\])/g, "$1");
  }
  return undefined;
}

/** The canonical text of a path: words dotted, indexes and other keys in brackets. */
export function formatParameterPath(segments: readonly PathSegment[]): string {
  let out = "";
  for (const segment of segments) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) out += out === "" ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

export type PathSet = { ok: true } | { ok: false; message: string };

/**
 * Sets `value` at `segments` inside `root`, in place (callers pass a copy).
 * Missing mappings on the way are created (a producer without `config:`), but
 * a list is never extended: `producers[3]` of a scenario with one producer is
 * an error, not a new producer made of one field.
 */
export function setAtPath(root: Record<string, unknown>, segments: readonly PathSegment[], value: unknown): PathSet {
  let container: unknown = root;
  for (let k = 0; k < segments.length; k += 1) {
    const segment = segments[k]!;
    const here = formatParameterPath(segments.slice(0, k)) || "the scenario";
    const isLast = k === segments.length - 1;
    if (Array.isArray(container)) {
      if (typeof segment !== "number") return { ok: false, message: `${here} is a list: expected an index such as ${here}[0], got the key ${JSON.stringify(segment)}` };
      if (segment >= container.length) return { ok: false, message: `${here} has ${container.length} item${container.length === 1 ? "" : "s"}: no index ${segment}` };
      if (isLast) container[segment] = value;
      else container = container[segment] ?? (container[segment] = {});
      continue;
    }
    if (container === null || typeof container !== "object") return { ok: false, message: `${here} is a value (${JSON.stringify(container)}), not a mapping or a list` };
    const mapping = container as Record<string, unknown>;
    const key = String(segment);
    if (isLast) {
      mapping[key] = value;
    } else {
      const next = Object.prototype.hasOwnProperty.call(mapping, key) ? mapping[key] : undefined;
      container = next === undefined || next === null ? (mapping[key] = {}) : next;
    }
  }
  return { ok: true };
}

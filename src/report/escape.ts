/**
 * Escaping for every string a report did not write itself: scenario, node,
 * group and check names, check messages and fault lines come from users'
 * scenario files and must never become markup in a report.
 */

const HTML_ENTITIES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Safe in HTML text and in double- or single-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]!);
}

/**
 * Safe inline in a Markdown paragraph or table cell: backslash-escapes the
 * characters that start emphasis, links, code spans, raw HTML, entities or
 * table cells, and folds line breaks (which would end a table row) to spaces.
 */
export function escapeMarkdown(text: string): string {
  return text.replace(/\r\n|\r|\n/g, " ").replace(/[\\`*_[\]<>|&~!#]/g, (c) => `\\${c}`);
}

/**
 * A fenced code block whose fence is longer than any backtick run inside, so
 * no content can close it early. Code blocks show text literally: fault lines
 * and commands need no other escaping there.
 */
export function markdownCodeBlock(text: string, language = ""): string {
  let longest = 0;
  for (const run of text.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  const fence = "`".repeat(Math.max(3, longest + 1));
  return `${fence}${language}\n${text}\n${fence}`;
}

/** Quotes one shell word for a POSIX shell when it holds anything but plainly safe characters. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_./:=@%+,-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

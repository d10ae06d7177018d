/**
 * A report as plain data: sections of tables, paragraphs, lists, code and
 * charts, holding unescaped text. The Markdown and HTML renderers walk the
 * same blocks, so both pages always say the same thing, and each escapes
 * every string in exactly one place for its own syntax.
 */

/** "ok"/"bad" colour a cell in HTML and add a marker in Markdown. */
export type Tone = "ok" | "bad";

/** A cell: plain text, text with a tone, or a link (a relative path to another report). */
export type Cell = string | { text: string; tone: Tone } | { text: string; href: string };

export interface Table {
  header: string[];
  rows: Cell[][];
  /** Per column; numbers read best right-aligned. Defaults to left. */
  align?: ("left" | "right")[];
}

export type Block =
  | { kind: "table"; table: Table }
  | { kind: "paragraph"; text: string; tone?: Tone }
  | { kind: "list"; items: string[] }
  | { kind: "code"; text: string }
  | { kind: "charts" };

export interface Section {
  /** Plain identifier for the HTML anchor. */
  id: string;
  title: string;
  blocks: Block[];
}

export interface ReportHeader {
  title: string;
  /** Label → value pairs under the title (scenario, seed, digest, verdict). */
  facts: { label: string; value: string; tone?: Tone }[];
}

export interface ReportDocument {
  header: ReportHeader;
  sections: Section[];
}

export function cellText(cell: Cell): string {
  return typeof cell === "string" ? cell : cell.text;
}

export function cellTone(cell: Cell): Tone | undefined {
  return typeof cell === "string" || !("tone" in cell) ? undefined : cell.tone;
}

export function cellHref(cell: Cell): string | undefined {
  return typeof cell === "string" || !("href" in cell) ? undefined : cell.href;
}

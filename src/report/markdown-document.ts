/**
 * Renders a ReportDocument as GitHub-flavoured Markdown. Text is escaped
 * here and only here (escapeMarkdown for inline text, fenced blocks for
 * code); charts are image links to the SVG files written beside the report.
 */
import { escapeMarkdown, markdownCodeBlock } from "./escape.js";
import { cellHref, cellText, cellTone, type Block, type Cell, type ReportDocument, type Table } from "./report-blocks.js";
import type { ChartFile } from "./rendered-chart.js";

function inline(text: string, tone?: string): string {
  const escaped = escapeMarkdown(text);
  return tone === "bad" ? `**${escaped}**` : escaped;
}

function renderCell(cell: Cell): string {
  // An empty cell would collapse the row in some renderers.
  if (cellText(cell) === "") return " ";
  const href = cellHref(cell);
  // Links are relative paths mqsim made (points/p3/report.md); spaces and parentheses would end them early.
  if (href !== undefined) return `[${escapeMarkdown(cellText(cell))}](${encodeURI(href).replace(/[()]/g, (c) => `%${c.charCodeAt(0).toString(16)}`)})`;
  return inline(cellText(cell), cellTone(cell));
}

export function markdownTable(table: Table): string {
  const align = table.header.map((_, k) => table.align?.[k] ?? "left");
  const lines = [
    `| ${table.header.map((h) => escapeMarkdown(h)).join(" | ")} |`,
    `| ${align.map((a) => (a === "right" ? "---:" : "---")).join(" | ")} |`,
    ...table.rows.map((row) => `| ${row.map(renderCell).join(" | ")} |`),
  ];
  return lines.join("\n");
}

function renderBlock(block: Block, charts: readonly ChartFile[]): string {
  switch (block.kind) {
    case "table":
      return markdownTable(block.table);
    case "paragraph":
      return inline(block.text, block.tone);
    case "list":
      return block.items.map((item) => `- ${escapeMarkdown(item)}`).join("\n");
    case "code":
      return markdownCodeBlock(block.text, "sh");
    case "charts":
      // File names come from the report itself, but are escaped like any other text.
      return charts.map((chart) => `![${escapeMarkdown(chart.title)}](${encodeURI(chart.file)})`).join("\n\n");
  }
}

export function renderDocumentMarkdown(doc: ReportDocument, charts: readonly ChartFile[]): string {
  const parts = [`# ${escapeMarkdown(doc.header.title)}`];
  parts.push(doc.header.facts.map((fact) => `- ${escapeMarkdown(fact.label)}: ${inline(fact.value, fact.tone)}`).join("\n"));
  for (const section of doc.sections) {
    parts.push(`## ${escapeMarkdown(section.title)}`);
    for (const block of section.blocks) parts.push(renderBlock(block, charts));
  }
  return `${parts.join("\n\n")}\n`;
}

/**
 * Renders a ReportDocument as one self-contained HTML page: inline CSS,
 * charts as inline SVG, no scripts and no external resources. A Content
 * Security Policy forbids scripts and fetches outright, as a second line of
 * defence behind escaping: even a string that slipped through could not run.
 */
import { escapeHtml } from "./escape.js";
import { cellHref, cellText, cellTone, type Block, type Cell, type ReportDocument, type Table } from "./report-blocks.js";
import type { RenderedChart } from "./rendered-chart.js";

const CSP = "default-src 'none'; style-src 'unsafe-inline'";

const STYLE = `
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto; max-width: 1040px; padding: 24px; color: #222; line-height: 1.4; }
h1 { font-size: 1.6em; margin: 0 0 8px; word-break: break-word; }
h2 { font-size: 1.25em; margin: 32px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0 0 16px; }
dl.facts dt { color: #666; }
dl.facts dd { margin: 0; font-family: ui-monospace, monospace; word-break: break-all; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 0.92em; }
th, td { border: 1px solid #ddd; padding: 4px 10px; text-align: left; vertical-align: top; }
th { background: #f5f5f5; font-weight: 600; }
td.right, th.right { text-align: right; font-variant-numeric: tabular-nums; }
.ok { color: #1b7d33; font-weight: 600; }
.bad { color: #b3261e; font-weight: 600; }
pre { background: #f5f5f5; padding: 10px 12px; overflow-x: auto; font-size: 0.9em; }
figure.chart { margin: 16px 0; }
figure.chart svg { max-width: 100%; height: auto; }
`;

function toneClass(tone: string | undefined): string {
  return tone === undefined ? "" : tone;
}

function renderCell(cell: Cell, align: string, tag: "td" | "th"): string {
  const classes = [align === "right" ? "right" : "", toneClass(cellTone(cell))].filter((c) => c !== "").join(" ");
  const attr = classes === "" ? "" : ` class="${classes}"`;
  const href = cellHref(cell);
  const text = escapeHtml(cellText(cell));
  return `<${tag}${attr}>${href === undefined ? text : `<a href="${escapeHtml(encodeURI(href))}">${text}</a>`}</${tag}>`;
}

export function htmlTable(table: Table): string {
  const align = table.header.map((_, k) => table.align?.[k] ?? "left");
  const head = `<tr>${table.header.map((h, k) => renderCell(h, align[k]!, "th")).join("")}</tr>`;
  const body = table.rows.map((row) => `<tr>${row.map((cell, k) => renderCell(cell, align[k] ?? "left", "td")).join("")}</tr>`);
  return `<table>\n<thead>${head}</thead>\n<tbody>\n${body.join("\n")}\n</tbody>\n</table>`;
}

function renderChart(chart: RenderedChart): string {
  // The SVG comes from vega, which escapes every text and attribute it writes; it is inlined as is.
  return `<figure class="chart" id="chart-${escapeHtml(chart.name)}" data-chart="${escapeHtml(chart.name)}">\n${chart.svg}\n</figure>`;
}

function renderBlock(block: Block, charts: readonly RenderedChart[]): string {
  switch (block.kind) {
    case "table":
      return htmlTable(block.table);
    case "paragraph": {
      const attr = block.tone === undefined ? "" : ` class="${block.tone}"`;
      return `<p${attr}>${escapeHtml(block.text)}</p>`;
    }
    case "list":
      return `<ul>\n${block.items.map((item) => `<li>${escapeHtml(item)}</li>`).join("\n")}\n</ul>`;
    case "code":
      return `<pre><code>${escapeHtml(block.text)}</code></pre>`;
    case "charts":
      return charts.map(renderChart).join("\n");
  }
}

export function renderDocumentHtml(doc: ReportDocument, charts: readonly RenderedChart[]): string {
  const facts = doc.header.facts.map((fact) => {
    const attr = fact.tone === undefined ? "" : ` class="${fact.tone}"`;
    return `<dt>${escapeHtml(fact.label)}</dt><dd${attr}>${escapeHtml(fact.value)}</dd>`;
  });
  const sections = doc.sections.map((section) =>
    [
      `<section id="${escapeHtml(section.id)}">`,
      `<h2>${escapeHtml(section.title)}</h2>`,
      ...section.blocks.map((block) => renderBlock(block, charts)),
      `</section>`,
    ].join("\n"),
  );
  return [
    "<!DOCTYPE html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(doc.header.title)}</title>`,
    `<style>${STYLE}</style>`,
    "</head>",
    "<body>",
    "<header>",
    `<h1>${escapeHtml(doc.header.title)}</h1>`,
    `<dl class="facts">${facts.join("")}</dl>`,
    "</header>",
    "<main>",
    ...sections,
    "</main>",
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

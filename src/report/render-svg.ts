/**
 * Vega-Lite spec → SVG text, in Node: compiled with vega-lite, evaluated by a
 * headless vega View (renderer "none": no DOM, no canvas) and serialised by
 * vega's SVG string renderer. Text widths are estimated without a canvas, the
 * same way every time, so the output depends only on the spec.
 *
 * vega and vega-lite load on the first chart, not when the package is
 * imported: a program that only runs scenarios never pays for them.
 */
import type { TopLevelSpec } from "vega-lite";

type Vega = typeof import("vega");
type VegaLite = typeof import("vega-lite");

let libraries: Promise<{ vega: Vega; vegaLite: VegaLite; quietLogger: ReturnType<Vega["logger"]> }> | null = null;

function loadLibraries(): Promise<{ vega: Vega; vegaLite: VegaLite; quietLogger: ReturnType<Vega["logger"]> }> {
  libraries ??= Promise.all([import("vega"), import("vega-lite")]).then(([vega, vegaLite]) => ({
    vega,
    vegaLite,
    // Vega's own logger prints warnings to the console; reports stay quiet and errors still throw.
    quietLogger: vega.logger(vega.Error),
  }));
  return libraries;
}

/** One look for every chart, so reports read as one document. */
export const CHART_CONFIG = {
  font: "sans-serif",
  background: "white",
  view: { stroke: "#ddd" },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: "normal", gridColor: "#eee" },
  legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: "normal", orient: "right", labelLimit: 320 },
  title: { fontSize: 14, fontWeight: "bold", anchor: "start" },
  line: { strokeWidth: 1.75 },
} as const;

export const CHART_WIDTH = 640;
export const CHART_HEIGHT = 240;

/** Series colours fixed by name, so "acked" is the same colour in every report. */
export const SERIES_COLORS = ["#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2", "#eeca3b", "#9d755d"] as const;

/**
 * Vega numbers clip paths and gradients from process-wide counters, so the
 * same chart rendered twice (or after another chart) gets different ids, and
 * two charts inlined in one HTML page could share one. Renaming every id in
 * order of appearance, under the chart's own prefix, makes the text a
 * function of the spec and keeps ids unique within a page.
 */
function renumberIds(svg: string, chartId: string): string {
  const renamed = new Map<string, string>();
  for (const match of svg.matchAll(/\sid="([^"]+)"/g)) {
    const id = match[1]!;
    if (!renamed.has(id)) renamed.set(id, `${chartId}-def${renamed.size + 1}`);
  }
  if (renamed.size === 0) return svg;
  return svg.replace(/(\sid="|url\(#|href="#)([^")]+)/g, (whole, prefix: string, id: string) => {
    const name = renamed.get(id);
    return name === undefined ? whole : `${prefix}${name}`;
  });
}

/**
 * Renders a Vega-Lite spec to an SVG document string. `chartId` must be a
 * unique, plain identifier ([a-z0-9-]) within the page the SVG ends up in.
 */
export async function renderVegaLite(spec: TopLevelSpec, chartId: string): Promise<string> {
  if (!/^[a-z0-9-]+$/.test(chartId)) throw new Error(`chart id must match [a-z0-9-]+, got ${JSON.stringify(chartId)}`);
  const { vega, vegaLite, quietLogger } = await loadLibraries();
  const compiled = vegaLite.compile({ config: CHART_CONFIG, ...spec } as TopLevelSpec, { logger: quietLogger }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none", logger: quietLogger });
  try {
    const svg = await view.toSVG();
    return renumberIds(svg, chartId);
  } finally {
    view.finalize();
  }
}

/** A chart-sized SVG saying why there is no chart, in the same style, so a report's layout never has holes. */
export async function renderPlaceholder(title: string, message: string, chartId: string): Promise<string> {
  return renderVegaLite(
    {
      title,
      width: CHART_WIDTH,
      height: 60,
      data: { values: [{ message }] },
      mark: { type: "text", fontSize: 13, color: "#666" },
      encoding: { text: { field: "message", type: "nominal" } },
      config: { ...CHART_CONFIG, view: { stroke: null } },
    },
    chartId,
  );
}

/**
 * A chart as the pages use it: the SVG text plus the file it is written to,
 * so the Markdown report can link the same file the HTML page inlines.
 */
export interface ChartFile {
  /** Plain identifier ([a-z0-9-]), unique within a report: also the SVG's id prefix. */
  name: string;
  title: string;
  /** File name relative to the report's directory, e.g. "latency-cdf.svg". */
  file: string;
}

export interface RenderedChart extends ChartFile {
  svg: string;
}

/**
 * The built-in tour (`npm start`, `mqsim tour`): every preset run on its own
 * seed, a report folder for each under reports/tour/, an index page that
 * links them, and a one-screen summary: what each claim or anomaly showed,
 * and whether it reached the verdict it promises.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { escapeHtml } from "../report/escape.js";
import type { RunSummary } from "../report/run-summary.js";
import { writeRunReport } from "../report/write-run-report.js";
import { validateScenario } from "../scenario/load.js";
import { PRESETS, type Preset } from "../scenario/presets.js";
import { runScenario } from "../scenario/run-scenario.js";
import { progressBar, runFraction, runStatus } from "./progress.js";
import { EXIT_BAD_INPUT, EXIT_OK, EXIT_SIMULATOR_BUG } from "./exit-codes.js";
import { tourKeyNumbers } from "./tour-key-numbers.js";
import { outputFolderProblem } from "./output-paths.js";
import { terminalSafe } from "./terminal-text.js";

interface TourRow {
  preset: Preset;
  summary: RunSummary;
  wallMs: number;
}

export async function tourCommand(outDir: string): Promise<number> {
  const outProblem = outputFolderProblem("--out", outDir, { report: false });
  if (outProblem !== null) {
    process.stderr.write(terminalSafe(`mqsim: ${outProblem}\n`));
    return EXIT_BAD_INPUT;
  }
  const root = resolve(outDir);
  mkdirSync(root, { recursive: true });
  const rows: TourRow[] = [];
  process.stdout.write(`mqsim tour: ${PRESETS.length} scenarios, reports in ${outDir}/\n\n`);
  const progress = progressBar("tour", { isSilent: false });
  for (const [index, preset] of PRESETS.entries()) {
    const loaded = validateScenario(preset.document);
    if (!loaded.ok) throw new Error(`preset ${preset.name} is invalid`);
    const startedMs = performance.now();
    const { summary } = runScenario(loaded.scenario, loaded.scenario.seed, undefined, { onProgress: (at) => progress.update((index + runFraction(at)) / PRESETS.length, `${preset.name}: ${runStatus(at)}`) });
    const wallMs = performance.now() - startedMs;
    progress.update((index + 1) / PRESETS.length, `${preset.name}: writing its report`);
    await writeRunReport(join(root, preset.name), summary);
    rows.push({ preset, summary, wallMs });
    progress.print(`${line(preset, summary, wallMs)}\n`);
  }
  progress.stop();
  writeFileSync(join(root, "index.html"), indexHtml(rows));
  const surprises = rows.filter((row) => row.summary.verdict !== row.preset.expect);
  process.stdout.write(
    `\n${rows.length - surprises.length} of ${rows.length} scenarios reached their expected verdict. Open ${outDir}/index.html for the reports.\n` +
      "Each can be rerun alone: npx mqsim run <name> (mqsim list shows them all, mqsim show <name> prints one as YAML).\n",
  );
  // A preset that misses its promised verdict is a model regression, not a user error.
  return surprises.length === 0 ? EXIT_OK : EXIT_SIMULATOR_BUG;
}

function line(preset: Preset, summary: RunSummary, wallMs: number): string {
  const mark = summary.verdict === preset.expect ? "as expected" : `UNEXPECTED (expected ${preset.expect})`;
  return `${preset.claim.padEnd(4)} ${preset.name.padEnd(24)} ${summary.verdict.padEnd(15)} ${mark.padEnd(12)} ${(wallMs / 1000).toFixed(1).padStart(5)} s  ${tourKeyNumbers(preset.claim, summary)}`;
}

const VERDICT_CLASS: Readonly<Record<RunSummary["verdict"], string>> = { ok: "ok", "safety-failed": "safety", "liveness-failed": "liveness" };

function indexHtml(rows: readonly TourRow[]): string {
  const body = rows
    .map(
      ({ preset, summary }) =>
        `<tr><td>${escapeHtml(preset.claim)}</td><td><a href="${escapeHtml(preset.name)}/report.html">${escapeHtml(preset.name)}</a></td><td>${escapeHtml(preset.title)}</td>` +
        // The verdict in its own colour (a safety failure is red even when it was the point), and apart whether it was the one expected.
        `<td class="${VERDICT_CLASS[summary.verdict]}">${escapeHtml(summary.verdict)}</td><td>${escapeHtml(preset.expect)}</td>` +
        `<td class="${summary.verdict === preset.expect ? "expected" : "unexpected"}">${summary.verdict === preset.expect ? "as expected" : "UNEXPECTED"}</td><td>${escapeHtml(tourKeyNumbers(preset.claim, summary))}</td></tr>`,
    )
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>mqsim tour</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:80rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}.ok{color:#166534}.safety{color:#b91c1c}.liveness{color:#b45309}.expected{color:#475569}.unexpected{background:#fee2e2;color:#b91c1c;font-weight:bold}</style>
</head><body>
<h1>mqsim tour</h1>
<p>Every built-in scenario, run from its seed. Unsafe settings are expected to fail a safety check (their verdict is red: data was lost or applied twice, as the scenario sets out to show); their safe counterparts to pass. The next column says whether each verdict is the one the scenario promises. Each row links to the run's report.</p>
<table><thead><tr><th>claim</th><th>scenario</th><th>what it shows</th><th>verdict</th><th>expected</th><th>as expected?</th><th>key numbers</th></tr></thead>
<tbody>
${body}
</tbody></table>
</body></html>
`;
}

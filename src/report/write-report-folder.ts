/**
 * Writes a report folder as a whole, so that a kill at any moment leaves
 * either the old report or the new one, never a mix (a new report.md beside
 * an old summary.json): the files go into a hidden sibling staging folder,
 * which is then swapped in by renames. Leftovers of a killed write (staging
 * and old folders, `.partial` files) are cleaned up by the next write.
 *
 * Only an empty folder or an earlier report is ever replaced: a folder
 * holding anything else (`--out ~/Desktop`) is refused, not emptied.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { OutputFile } from "./write-files.js";

/** Files a report folder holds: what writeRunReport writes, and partials of a killed write. */
const REPORT_FILE = /^(?:report\.(?:md|html)|summary\.json|[A-Za-z0-9._-]+\.svg|[A-Za-z0-9._-]+\.partial)$/;

export class ReportFolderRefused extends Error {}

/** Why `dir` may not be replaced by a report folder, or null when it may (absent, empty, or an earlier report). */
export function reportFolderProblem(dir: string): string | null {
  if (!existsSync(dir)) return null;
  if (!statSync(dir).isDirectory()) return `expected a folder, but ${dir} is a file`;
  const foreign = readdirSync(dir).filter((name) => !REPORT_FILE.test(name));
  if (foreign.length === 0) return null;
  const shown = foreign.slice(0, 3).join(", ") + (foreign.length > 3 ? `, … (${foreign.length} in all)` : "");
  return `expected a new or empty folder, or an earlier mqsim report (it is replaced as a whole), but ${dir} holds ${shown}`;
}

/** Writes `files` as the whole content of `dir`; returns their final paths in the given order. */
export async function writeReportFolder(dir: string, files: readonly OutputFile[]): Promise<string[]> {
  for (const file of files) {
    if (!/^[A-Za-z0-9._-]+$/.test(file.name) || file.name.startsWith(".")) throw new Error(`report file name must be a plain file name, got ${JSON.stringify(file.name)}`);
  }
  const problem = reportFolderProblem(dir);
  if (problem !== null) throw new ReportFolderRefused(problem);
  const parent = dirname(dir);
  const base = basename(dir);
  await mkdir(parent, { recursive: true });
  await removeLeftovers(parent, base);
  const staging = join(parent, `.${base}.partial-${process.pid}`);
  const old = join(parent, `.${base}.old-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging);
  try {
    for (const file of files) await writeFile(join(staging, file.name), file.content, "utf8");
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  if (existsSync(dir)) {
    await rename(dir, old);
    await rename(staging, dir);
    await rm(old, { recursive: true, force: true });
  } else {
    await rename(staging, dir);
  }
  return files.map((file) => join(dir, file.name));
}

/** Staging and old folders of killed writes to the same folder (any process's: a write that was killed has no owner left). */
async function removeLeftovers(parent: string, base: string): Promise<void> {
  const prefix = new RegExp(`^\\.${escapeRegExp(base)}\\.(?:partial|old)-\\d+$`);
  for (const name of readdirSync(parent)) {
    if (prefix.test(name)) await rm(join(parent, name), { recursive: true, force: true });
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Where a bench writes its report, and what it tells about it afterwards.
 *
 * Every `npm run bench*` writes under one folder: `--out <dir>` (or the
 * MQSIM_REPORTS_DIR environment variable), by default the project's
 * reports/ (the committed results the README quotes). A report folder is
 * written all at once (write-files.ts: a kill leaves the old files or the
 * new ones). At the end the bench says which files it wrote, which of them
 * changed, and which of those git tracks, so a run that was meant to be a
 * look does not silently rewrite committed numbers.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { progressBar, type Progress } from "../src/cli/progress.js";
import { writeFilesTogether, type OutputFile } from "../src/report/write-files.js";

export const PROJECT_ROOT = fileURLToPath(new URL("..", import.meta.url));
export const DEFAULT_REPORTS_DIR = join(PROJECT_ROOT, "reports");

/** `--out <dir>` or `--out=<dir>`, else MQSIM_REPORTS_DIR, else reports/ (relative paths from the working directory). */
export function benchReportsDir(argv: readonly string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): string {
  const at = argv.indexOf("--out");
  const inline = argv.find((arg) => arg.startsWith("--out="));
  const chosen = at >= 0 ? argv[at + 1] : inline?.slice("--out=".length);
  if (at >= 0 && (chosen === undefined || chosen.startsWith("--"))) throw new Error("--out needs a folder: npm run bench -- --out /tmp/my-reports");
  const dir = chosen ?? env["MQSIM_REPORTS_DIR"];
  if (dir === undefined || dir === "") return DEFAULT_REPORTS_DIR;
  return isAbsolute(dir) ? dir : resolve(dir);
}

interface Written {
  path: string;
  isChanged: boolean;
}

export class BenchOutput {
  readonly dir: string;
  private readonly written: Written[] = [];

  constructor(dir: string = benchReportsDir()) {
    this.dir = dir;
  }

  /** The absolute path of a report file (`relative` to the output folder, e.g. "scaling/scaling.json"). */
  path(relative: string): string {
    return join(this.dir, relative);
  }

  /** Writes files into one folder of the output (`folder` "" for its top), all at once; returns how many. */
  async write(folder: string, files: readonly OutputFile[]): Promise<number> {
    const dir = this.path(folder);
    const before = files.map((file) => contentOf(join(dir, file.name)));
    const paths = await writeFilesTogether(dir, files);
    paths.forEach((path, k) => this.written.push({ path, isChanged: before[k] !== files[k]!.content }));
    return paths.length;
  }

  /** What the bench wrote, what changed, and which changed files git tracks (committed results a commit would change). */
  summary(): string {
    const changed = this.written.filter((file) => file.isChanged).map((file) => file.path);
    const shown = (path: string): string => {
      const inProject = relative(PROJECT_ROOT, path);
      return inProject.startsWith("..") ? path : inProject;
    };
    const lines = [`wrote ${this.written.length} files in ${shown(this.dir)}/ (${changed.length} changed, ${this.written.length - changed.length} identical to what was there)`];
    const tracked = trackedByGit(changed);
    if (tracked === null) {
      if (changed.length > 0) lines.push(`changed: ${changed.map(shown).join(", ")}`);
    } else if (tracked.length > 0) {
      lines.push(`changed files that git tracks (committed results; review them before committing): ${tracked.map(shown).join(", ")}`);
    } else if (changed.length > 0) {
      lines.push("no file that git tracks changed");
    }
    return `${lines.join("\n")}\n`;
  }
}

function contentOf(path: string): string | null {
  return existsSync(path) ? readFileSync(path, "utf8") : null;
}

/** The paths git tracks, or null when git or a repository is not there (a copy without .git). */
function trackedByGit(paths: readonly string[]): string[] | null {
  if (paths.length === 0) return [];
  try {
    const root = execFileSync("git", ["rev-parse", "--show-toplevel"], { cwd: dirname(paths[0]!), encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const listed = execFileSync("git", ["ls-files", "-z", "--", ...paths.map((path) => relative(root, path))], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    const tracked = new Set(listed.split("\0").filter((path) => path !== "").map((path) => join(root, path)));
    return paths.filter((path) => tracked.has(path));
  } catch {
    return null;
  }
}

/** A bench's progress bar on stderr (only on a terminal, after a second): the same bar as mqsim's commands. */
export function benchProgress(task: string): Progress {
  return progressBar(task, { isSilent: false });
}

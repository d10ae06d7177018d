/**
 * Where a command will write (--out, --trace) is checked before anything
 * runs, so that a bad path is a user error (exit 2, the path and the
 * reason) and not a stack trace after the whole simulation: a file where a
 * folder is expected and the reverse, a folder that cannot be written (read
 * only, no permission, a full or read-only file system), kernel
 * pseudo-filesystems (/proc, /sys, /dev: mkdir -p on /proc spins forever),
 * and, for report folders, a folder holding anything but an earlier report
 * (it is replaced as a whole). Writability is probed by writing, since
 * access() says yes to root on a read-only folder.
 */
import { existsSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname, resolve, sep } from "node:path";
import { reportFolderProblem } from "../report/write-report-folder.js";

const PSEUDO_FILESYSTEMS = ["/proc", "/sys", "/dev"];

/** What a write failed with, in words: ENOSPC → "no space left on the device". */
export function describeWriteError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EROFS":
      return "read-only file system";
    case "ENOSPC":
      return "no space left on the device";
    case "EDQUOT":
      return "disk quota exceeded";
    case "EISDIR":
      return "it is a folder";
    case "ENOTDIR":
      return "a part of the path is a file, not a folder";
    case "ENAMETOOLONG":
      return "the name is too long";
    default:
      return error instanceof Error ? error.message.split("\n")[0]! : String(error);
  }
}

/** Whether an error is the file system's answer (a user's path problem), not a bug. */
export function isFileSystemError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^E[A-Z]+$/.test(code);
}

/** Why `path` cannot be a folder mqsim writes into, or null. `report`: it must also be new, empty or an earlier report. */
export function outputFolderProblem(flag: string, path: string, options: { report: boolean }): string | null {
  const where = `${flag} ${path}`;
  if (path.trim() === "") return `${flag}: expected a folder, got an empty path`;
  const absolute = resolve(path);
  const pseudo = pseudoFilesystemOf(absolute);
  if (pseudo !== null) return `${where}: expected a folder on a disk, but ${pseudo} is a kernel pseudo-filesystem`;
  if (existsSync(absolute)) {
    const stat = statSync(absolute);
    if (!stat.isDirectory()) return `${where}: expected a folder, but it is ${stat.isFile() ? "a file" : "not a regular folder"}`;
    if (options.report) {
      const problem = reportFolderProblem(absolute);
      if (problem !== null) return `${where}: ${problem}`;
    }
    return probeProblem(where, absolute);
  }
  const ancestor = nearestExisting(absolute);
  if (!statSync(ancestor).isDirectory()) return `${where}: cannot be created, as ${ancestor} is a file`;
  return probeProblem(where, ancestor);
}

/** Why `path` cannot be a file mqsim writes (a trace), or null. */
export function outputFileProblem(flag: string, path: string): string | null {
  const where = `${flag} ${path}`;
  if (path.trim() === "") return `${flag}: expected a file name, got an empty path`;
  const absolute = resolve(path);
  const pseudo = pseudoFilesystemOf(absolute);
  if (pseudo !== null) return `${where}: expected a file on a disk, but ${pseudo} is a kernel pseudo-filesystem`;
  if (existsSync(absolute)) {
    const stat = statSync(absolute);
    if (stat.isDirectory()) return `${where}: expected a file, but it is a folder`;
    if (!stat.isFile()) return `${where}: expected a regular file, but it is a device or a pipe`;
  }
  const parent = dirname(absolute);
  if (!existsSync(parent)) return `${where}: its folder ${parent} does not exist`;
  if (!statSync(parent).isDirectory()) return `${where}: ${parent} is a file, not a folder`;
  return probeProblem(where, parent);
}

function pseudoFilesystemOf(absolute: string): string | null {
  for (const root of PSEUDO_FILESYSTEMS) if (absolute === root || absolute.startsWith(`${root}${sep}`)) return root;
  return null;
}

function nearestExisting(absolute: string): string {
  let path = absolute;
  while (!existsSync(path)) {
    const parent = dirname(path);
    if (parent === path) break;
    path = parent;
  }
  return path;
}

/** Writes and removes a small file in `folder`: the only test of writability that root and read-only mounts cannot fool. */
function probeProblem(where: string, folder: string): string | null {
  const probe = resolve(folder, `.mqsim-write-probe-${process.pid}`);
  try {
    writeFileSync(probe, "probe\n");
    unlinkSync(probe);
    return null;
  } catch (error) {
    return `${where}: cannot write in ${folder}: ${describeWriteError(error)}`;
  }
}

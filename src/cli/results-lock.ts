/**
 * One sweep at a time per results file: a second `mqsim sweep` into the same
 * --out (and the same shard) would append to points.jsonl beside the first
 * and each would drop the other's finished points as foreign on resume. The
 * lock is a file beside the results, created exclusively; it names its
 * holder (pid, host), so a lock left by a killed sweep on this host is taken
 * over, and one held by a live sweep (or by another host, which cannot be
 * asked) is refused with a clear message.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { hostname } from "node:os";

interface LockHolder {
  pid: number;
  host: string;
  since: string;
}

export type LockResult = { ok: true; release: () => void } | { ok: false; message: string };

export function lockResults(resultsFile: string): LockResult {
  const path = `${resultsFile}.lock`;
  const me: LockHolder = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, `${JSON.stringify(me)}\n`);
      closeSync(fd);
      let released = false;
      return {
        ok: true,
        release: () => {
          if (released) return;
          released = true;
          rmSync(path, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = readHolder(path);
    if (holder !== null && (holder.host !== me.host || isAlive(holder.pid))) {
      return {
        ok: false,
        message: `${resultsFile} is in use by another mqsim sweep (pid ${holder.pid} on ${holder.host}, since ${holder.since}): wait for it, or choose another --out (if that sweep is gone, delete ${path})`,
      };
    }
    // Left by a sweep that died on this host (or unreadable): take it over.
    rmSync(path, { force: true });
  }
  return { ok: false, message: `${path}: could not take the lock` };
}

function readHolder(path: string): LockHolder | null {
  try {
    const parsed = JSON.parse(readFileSync(path, "utf8")) as Partial<LockHolder>;
    if (typeof parsed.pid === "number" && typeof parsed.host === "string") return { pid: parsed.pid, host: parsed.host, since: String(parsed.since ?? "?") };
  } catch {
    // A lock cut off mid-write is as good as none.
  }
  return null;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

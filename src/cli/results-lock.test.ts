import { mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { lockResults } from "./results-lock.js";

describe("the sweep results lock", () => {
  it("lets one sweep at a time write a results file, and frees it on release", () => {
    const results = join(mkdtempSync(join(tmpdir(), "mqsim-lock-")), "points.jsonl");
    const first = lockResults(results);
    expect(first.ok).toBe(true);
    const second = lockResults(results);
    expect(second.ok).toBe(false);
    if (!second.ok) expect(second.message).toMatch(new RegExp(`in use by another mqsim sweep \\(pid ${process.pid} on `));
    if (first.ok) first.release();
    expect(existsSync(`${results}.lock`)).toBe(false);
    const third = lockResults(results);
    expect(third.ok).toBe(true);
    if (third.ok) third.release();
  });

  it("takes over a lock left by a sweep that died on this host, but not one held on another host", () => {
    const results = join(mkdtempSync(join(tmpdir(), "mqsim-lock-")), "points.jsonl");
    // No process has pid 2^22 + 1 (Linux's pid_max is at most 2^22).
    writeFileSync(`${results}.lock`, JSON.stringify({ pid: 4_194_305, host: hostname(), since: "2026-01-01T00:00:00Z" }));
    const taken = lockResults(results);
    expect(taken.ok).toBe(true);
    expect(JSON.parse(readFileSync(`${results}.lock`, "utf8")).pid).toBe(process.pid);
    if (taken.ok) taken.release();
    writeFileSync(`${results}.lock`, JSON.stringify({ pid: 4_194_305, host: `${hostname()}-elsewhere`, since: "2026-01-01T00:00:00Z" }));
    const refused = lockResults(results);
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.message).toContain(`delete ${results}.lock`);
  });
});

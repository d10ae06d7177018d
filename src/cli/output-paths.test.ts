import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { describeWriteError, outputFileProblem, outputFolderProblem } from "./output-paths.js";

describe("output paths are checked before a run", () => {
  const root = mkdtempSync(join(tmpdir(), "mqsim-out-"));
  writeFileSync(join(root, "a-file"), "x");
  mkdirSync(join(root, "user"));
  writeFileSync(join(root, "user", "notes.txt"), "mine");

  it("--out: a new folder (parents too), an empty one, an earlier report are fine", () => {
    expect(outputFolderProblem("--out", join(root, "new", "deeper"), { report: true })).toBeNull();
    expect(outputFolderProblem("--out", root, { report: false })).toBeNull();
  });

  it("--out: a file, a path through a file, a kernel pseudo-filesystem, a folder of someone else's files are refused, saying why", () => {
    expect(outputFolderProblem("--out", join(root, "a-file"), { report: true })).toMatch(/expected a folder, but it is a file$/);
    expect(outputFolderProblem("--out", join(root, "a-file", "sub"), { report: true })).toMatch(/cannot be created, as .*a-file is a file$/);
    expect(outputFolderProblem("--out", "/proc/x", { report: true })).toBe("--out /proc/x: expected a folder on a disk, but /proc is a kernel pseudo-filesystem");
    expect(outputFolderProblem("--out", "/dev/full", { report: true })).toMatch(/\/dev is a kernel pseudo-filesystem$/);
    expect(outputFolderProblem("--out", join(root, "user"), { report: true })).toMatch(/holds notes\.txt$/);
    expect(outputFolderProblem("--out", "", { report: true })).toBe("--out: expected a folder, got an empty path");
  });

  it("--trace: a folder, a device, a missing folder are refused", () => {
    expect(outputFileProblem("--trace", root)).toMatch(/expected a file, but it is a folder$/);
    expect(outputFileProblem("--trace", "/dev/full")).toMatch(/pseudo-filesystem$/);
    expect(outputFileProblem("--trace", join(root, "missing", "t.json"))).toMatch(/its folder .* does not exist$/);
    expect(outputFileProblem("--trace", join(root, "t.json"))).toBeNull();
  });

  it("names the file system's refusals in words", () => {
    expect(describeWriteError(Object.assign(new Error("x"), { code: "ENOSPC" }))).toBe("no space left on the device");
    expect(describeWriteError(Object.assign(new Error("x"), { code: "EROFS" }))).toBe("read-only file system");
    expect(describeWriteError(Object.assign(new Error("x"), { code: "EACCES" }))).toBe("permission denied");
  });
});

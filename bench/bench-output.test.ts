import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { BenchOutput, benchReportsDir, DEFAULT_REPORTS_DIR } from "./bench-output.js";

// This file sits in bench/, so the project's reports/ is one folder up.
const PROJECT_REPORTS_DIR = join(fileURLToPath(new URL("..", import.meta.url)), "reports");
const NO_ENV: NodeJS.ProcessEnv = {};

describe("benchReportsDir", () => {
  it("is the project's reports/ when neither --out nor MQSIM_REPORTS_DIR is given", () => {
    expect(DEFAULT_REPORTS_DIR).toBe(PROJECT_REPORTS_DIR);
    expect(benchReportsDir([], NO_ENV)).toBe(PROJECT_REPORTS_DIR);
    expect(benchReportsDir(["--quick"], NO_ENV)).toBe(PROJECT_REPORTS_DIR);
    // An empty variable counts as unset (MQSIM_REPORTS_DIR= npm run bench).
    expect(benchReportsDir([], { MQSIM_REPORTS_DIR: "" })).toBe(PROJECT_REPORTS_DIR);
  });

  it("takes --out <dir> and --out=<dir>, relative folders from the working directory", () => {
    expect(benchReportsDir(["--quick", "--out", "/tmp/mine"], NO_ENV)).toBe("/tmp/mine");
    expect(benchReportsDir(["--out=/tmp/mine", "--render"], NO_ENV)).toBe("/tmp/mine");
    expect(benchReportsDir(["--out", "mine/reports"], NO_ENV)).toBe(resolve("mine/reports"));
    expect(benchReportsDir(["--out=mine"], NO_ENV)).toBe(resolve("mine"));
  });

  it("takes MQSIM_REPORTS_DIR, and --out wins over it", () => {
    expect(benchReportsDir([], { MQSIM_REPORTS_DIR: "/tmp/from-env" })).toBe("/tmp/from-env");
    expect(benchReportsDir(["--out", "/tmp/from-flag"], { MQSIM_REPORTS_DIR: "/tmp/from-env" })).toBe("/tmp/from-flag");
    expect(benchReportsDir(["--out=/tmp/from-flag"], { MQSIM_REPORTS_DIR: "/tmp/from-env" })).toBe("/tmp/from-flag");
  });

  it("refuses an --out without a folder", () => {
    expect(() => benchReportsDir(["--out"], NO_ENV)).toThrow(/--out needs a folder/);
    // The next flag is not a folder either.
    expect(() => benchReportsDir(["--out", "--quick"], NO_ENV)).toThrow(/--out needs a folder/);
  });
});

describe("BenchOutput", () => {
  const made: string[] = [];
  /** A fresh folder in the system's temporary directory, outside any git repository. */
  const freshDir = async (): Promise<string> => {
    const dir = await mkdtemp(join(tmpdir(), "mqsim-bench-output-"));
    made.push(dir);
    return dir;
  };
  afterAll(async () => {
    await Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it("writes files under the chosen folder and its subfolders", async () => {
    const dir = await freshDir();
    const output = new BenchOutput(dir);
    expect(output.dir).toBe(dir);
    expect(output.path("scaling/scaling.json")).toBe(join(dir, "scaling", "scaling.json"));
    expect(await output.write("", [{ name: "top.md", content: "top\n" }])).toBe(1);
    expect(await output.write("scaling", [{ name: "scaling.md", content: "a\n" }, { name: "scaling.json", content: "{}\n" }])).toBe(2);
    expect(readFileSync(join(dir, "top.md"), "utf8")).toBe("top\n");
    expect(readFileSync(join(dir, "scaling", "scaling.md"), "utf8")).toBe("a\n");
    expect(readFileSync(join(dir, "scaling", "scaling.json"), "utf8")).toBe("{}\n");
    // Written together: no ".partial" file is left behind.
    expect(existsSync(join(dir, "scaling", "scaling.md.partial"))).toBe(false);
  });

  it("names the folder and counts the files in its summary; outside git it lists the changed files without the git line", async () => {
    const dir = await freshDir();
    const output = new BenchOutput(dir);
    await output.write("", [{ name: "a.md", content: "a\n" }]);
    await output.write("sub", [{ name: "b.json", content: "{}\n" }]);
    const summary = output.summary();
    expect(summary).toContain(`wrote 2 files in ${dir}/ (2 changed, 0 identical to what was there)`);
    expect(summary).toContain(`changed: ${join(dir, "a.md")}, ${join(dir, "sub", "b.json")}`);
    expect(summary).not.toContain("git");
    expect(summary.endsWith("\n")).toBe(true);
  });

  it("reports 0 changed when a second run writes the same content, and only what differs otherwise", async () => {
    const dir = await freshDir();
    const files = [
      { name: "x.md", content: "same\n" },
      { name: "x.json", content: "[1]\n" },
    ];
    await new BenchOutput(dir).write("compare", files);

    const again = new BenchOutput(dir);
    await again.write("compare", files);
    expect(again.summary()).toBe(`wrote 2 files in ${dir}/ (0 changed, 2 identical to what was there)\n`);

    const edited = new BenchOutput(dir);
    await edited.write("compare", [files[0]!, { name: "x.json", content: "[2]\n" }]);
    const summary = edited.summary();
    expect(summary).toContain("(1 changed, 1 identical to what was there)");
    expect(summary).toContain(`changed: ${join(dir, "compare", "x.json")}`);
    expect(summary).not.toContain("x.md");
  });

  it("writes nothing and counts nothing when a file name is not a plain name", async () => {
    const dir = await freshDir();
    const output = new BenchOutput(dir);
    await expect(output.write("", [{ name: "../escape.md", content: "x" }])).rejects.toThrow(/plain file name/);
    expect(existsSync(join(dir, "..", "escape.md"))).toBe(false);
    expect(output.summary()).toBe(`wrote 0 files in ${dir}/ (0 changed, 0 identical to what was there)\n`);
  });
});

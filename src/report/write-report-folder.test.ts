import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ReportFolderRefused, reportFolderProblem, writeReportFolder } from "./write-report-folder.js";

const files = (version: string) => [
  { name: "report.md", content: `# ${version}\n` },
  { name: "summary.json", content: `{"version":"${version}"}\n` },
];

describe("a report folder is written as a whole", () => {
  it("replaces an earlier report entirely: no file of the old one survives beside the new one", async () => {
    const root = mkdtempSync(join(tmpdir(), "mqsim-report-"));
    const dir = join(root, "r");
    await writeReportFolder(dir, [...files("old"), { name: "old-chart.svg", content: "<svg/>" }]);
    await writeReportFolder(dir, files("new"));
    expect(readdirSync(dir).sort()).toEqual(["report.md", "summary.json"]);
    expect(readFileSync(join(dir, "summary.json"), "utf8")).toContain("new");
    // Nothing left beside it either.
    expect(readdirSync(root)).toEqual(["r"]);
  });

  it("cleans up what a killed write left: a staging folder, an old folder, partial files", async () => {
    const root = mkdtempSync(join(tmpdir(), "mqsim-report-"));
    const dir = join(root, "r");
    mkdirSync(join(root, ".r.partial-12345"));
    writeFileSync(join(root, ".r.partial-12345", "report.md"), "half");
    mkdirSync(join(root, ".r.old-12345"));
    mkdirSync(dir);
    writeFileSync(join(dir, "report.html.partial"), "half");
    await writeReportFolder(dir, files("new"));
    expect(readdirSync(root)).toEqual(["r"]);
    expect(readdirSync(dir).sort()).toEqual(["report.md", "summary.json"]);
  });

  it("refuses to replace a folder that holds anything but a report, and leaves it as it was", async () => {
    const root = mkdtempSync(join(tmpdir(), "mqsim-report-"));
    writeFileSync(join(root, "notes.txt"), "mine");
    expect(reportFolderProblem(root)).toMatch(/holds notes\.txt$/);
    await expect(writeReportFolder(root, files("new"))).rejects.toBeInstanceOf(ReportFolderRefused);
    expect(readdirSync(root)).toEqual(["notes.txt"]);
    expect(existsSync(join(root, "report.md"))).toBe(false);
  });
});

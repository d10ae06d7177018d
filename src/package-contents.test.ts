/**
 * What `npm pack` would publish: the built package and its license and
 * README, no tests, no sources beside the maps that carry them, and every
 * runtime dependency used by the built code.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "./cli/mqsim-process.test-support.js";

describe("the npm package", () => {
  it("holds dist, LICENSE, README and package.json; no tests; maps with their sources; no unused runtime dependency", () => {
    // A clean build, as npm run build makes it: files of modules since moved or removed must not linger in the package.
    rmSync(join(PROJECT_ROOT, "dist"), { recursive: true, force: true });
    execFileSync(process.execPath, [join(PROJECT_ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"], { cwd: PROJECT_ROOT });
    const packed = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: PROJECT_ROOT, encoding: "utf8" })) as { files: { path: string }[] }[];
    const files = packed[0]!.files.map((file) => file.path);
    for (const required of ["LICENSE", "README.md", "package.json", "dist/index.js", "dist/index.d.ts", "dist/cli/main.js"]) expect(files).toContain(required);
    expect(files.filter((file) => !file.startsWith("dist/") && !["LICENSE", "README.md", "package.json"].includes(file))).toEqual([]);
    expect(files.filter((file) => /\.test(-support)?\./.test(file))).toEqual([]);
    const maps = files.filter((file) => file.endsWith(".js.map"));
    expect(maps.length).toBeGreaterThan(100);
    for (const map of maps) expect((JSON.parse(readFileSync(join(PROJECT_ROOT, map), "utf8")) as { sourcesContent?: unknown[] }).sourcesContent, map).toBeDefined();
    const code = files.filter((file) => file.endsWith(".js")).map((file) => readFileSync(join(PROJECT_ROOT, file), "utf8")).join("\n");
    const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string> };
    for (const dependency of Object.keys(pkg.dependencies)) expect(code, dependency).toMatch(new RegExp(`(from |import\\()"${dependency.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}"`));
  }, 120_000);
});

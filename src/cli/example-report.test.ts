import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT, runMqsim } from "./mqsim-process.test-support.js";

const EXAMPLE = join(PROJECT_ROOT, "reports/examples/k3");

describe("the committed example report (reports/examples/k3)", () => {
  it("is what `mqsim run k3 --out` writes, byte for byte, and tells the loss the README quotes", async () => {
    const dir = await mkdtemp(join(tmpdir(), "mqsim-example-"));
    try {
      const run = await runMqsim(["run", "k3", "--out", join(dir, "k3"), "--quiet"], 120_000);
      expect(run.code).toBe(1);
      const names = (await readdir(join(dir, "k3"))).sort();
      expect((await readdir(EXAMPLE)).sort()).toEqual(names);
      // Regenerate with: npx mqsim run k3 --out reports/examples/k3
      for (const name of names) expect(await readFile(join(EXAMPLE, name), "utf8"), name).toBe(await readFile(join(dir, "k3", name), "utf8"));
      const readme = await readFile(join(PROJECT_ROOT, "README.md"), "utf8");
      const report = await readFile(join(EXAMPLE, "report.md"), "utf8");
      const quoted = "b2 became leader (epoch 2) without it at 10.000 s (unclean election (out-of-sync replica)); then truncated away on b1 at 10.001 s (offset 80 → 21)";
      expect(report).toContain(quoted);
      expect(readme.replace(/\s+/g, " ")).toContain(quoted);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

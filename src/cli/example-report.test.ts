import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT, runMqsim } from "./mqsim-process.test-support.js";

/** The example reports committed under reports/examples/, with the exit code their run gives. Regenerate one with: npx mqsim run <preset> --out reports/examples/<folder> */
const EXAMPLES = [
  { preset: "k3", folder: "k3", code: 1 },
  { preset: "c9-replication-failover", folder: "c9", code: 0 },
];

async function expectSameReport(preset: string, folder: string, code: number): Promise<string> {
  const example = join(PROJECT_ROOT, "reports/examples", folder);
  const dir = await mkdtemp(join(tmpdir(), "mqsim-example-"));
  try {
    const run = await runMqsim(["run", preset, "--out", join(dir, folder), "--quiet"], 120_000);
    expect(run.code).toBe(code);
    const names = (await readdir(join(dir, folder))).sort();
    expect((await readdir(example)).sort()).toEqual(names);
    for (const name of names) expect(await readFile(join(example, name), "utf8"), `${folder}/${name}`).toBe(await readFile(join(dir, folder, name), "utf8"));
    return await readFile(join(example, "report.md"), "utf8");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe("the committed example reports (reports/examples/)", () => {
  it.each(EXAMPLES)("$folder is what `mqsim run $preset --out` writes, byte for byte", async ({ preset, folder, code }) => {
    await expectSameReport(preset, folder, code);
  });

  it("tell the stories the README quotes", async () => {
    const readme = (await readFile(join(PROJECT_ROOT, "README.md"), "utf8")).replace(/\s+/g, " ");
    const k3 = await readFile(join(PROJECT_ROOT, "reports/examples/k3/report.md"), "utf8");
    const quoted = "b2 became leader (epoch 2) without it at 10.000 s (unclean election (out-of-sync replica)); then truncated away on b1 at 10.001 s (offset 80 → 21)";
    expect(k3).toContain(quoted);
    expect(readme).toContain(quoted);
  });
});

/**
 * Commands the README shows must do what it says. (This file grows toward
 * every command in the README; today the replay of a printed counterexample,
 * which once replayed nothing and exited 0.)
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT, runMqsim } from "./mqsim-process.test-support.js";

const README = readFileSync(join(PROJECT_ROOT, "README.md"), "utf8");

describe("README commands", () => {
  it("the replay --path example reproduces its counterexample (exit 1, the failed check)", async () => {
    const line = README.split("\n").find((text) => /^npx mqsim replay \S+ --seed \d+ --path [\d:]+/.test(text));
    expect(line).toBeDefined();
    const args = line!.replace(/\s+#.*$/, "").split(/\s+/).slice(2);
    const run = await runMqsim(args, 30_000);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/^counterexample among /);
    expect(run.stdout).toMatch(/lost-effects: \d+ of \d+ acked never applied/);
  });
});

/**
 * Issue 19 as a user meets it: paths that cannot take the output, a pipe
 * closed early, replay paths that are not paths, sizes no laptop runs, and
 * scenarios past their budgets — each a clear message and exit 2 before
 * anything runs, never a stack trace after the simulation.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT, runMqsim, type MqsimRun } from "./mqsim-process.test-support.js";

const mqsim = (...args: string[]): Promise<MqsimRun> => runMqsim(args, 20_000);
const STACK_LINE = /^\s+at\s/m;

function expectRefused(run: MqsimRun, message: RegExp): void {
  expect(run.code, run.stderr).toBe(2);
  expect(run.stdout).toBe("");
  expect(run.stderr).not.toMatch(STACK_LINE);
  expect(run.stderr).toMatch(message);
}

describe("mqsim refuses what it cannot do, before running", () => {
  const root = mkdtempSync(join(tmpdir(), "mqsim-hostile-"));
  writeFileSync(join(root, "a-file"), "x");

  it("--out at a file or /proc, --trace at a folder: exit 2 with the path and the reason, nothing written", async () => {
    expectRefused(await mqsim("run", "k3", "--out", join(root, "a-file")), /--out .*a-file: expected a folder, but it is a file/);
    expectRefused(await mqsim("run", "k3", "--out", "/proc/mqsim-x"), /--out \/proc\/mqsim-x: expected a folder on a disk, but \/proc is a kernel pseudo-filesystem/);
    expectRefused(await mqsim("run", "k3", "--trace", root), /--trace .*: expected a file, but it is a folder/);
    expect(readdirSync(root)).toEqual(["a-file"]);
  });

  it("replay --path that is not a path, or not a counterexample of that search, is bad input", async () => {
    const garbled = await mqsim("replay", "k3", "--seed", "42", "--path", "abc");
    expect(garbled.code).toBe(2);
    expect(garbled.stderr).toMatch(/--path: expected a counterexample path as mqsim check printed it/);
    expect(garbled.stderr).not.toMatch(STACK_LINE);
    expectRefused(await mqsim("replay", "k3", "--seed", "42", "--path", "5:1:2"), /--path 5:1:2: no counterexample there for search seed 42/);
  });

  it("a scenario past its budgets is refused with the estimate; demo refuses a million nodes", async () => {
    const file = join(root, "hundred-days.yaml");
    writeFileSync(file, ["system: kafka", "duration: 100d", "cluster: { brokers: 3 }", "topics: [{ name: t, partitions: 6, replicationFactor: 3 }]", "producers: [{ topic: t, rate: 20/s }]"].join("\n"));
    expectRefused(await mqsim("run", file), /budgets\.maxEvents: expected a budget for the ~[\d.]+ billion events this run is estimated to take/);
    const demo = await mqsim("demo", "--nodes", "1000000");
    expect(demo.code).toBe(2);
    expect(demo.stderr).toMatch(/--nodes: expected an integer from 2 to 64, got "1000000"/);
  });

  it("a pipe closed early (| head) ends the output quietly, without an EPIPE stack", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "run", "c9-replication-failover"], { cwd: PROJECT_ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.once("data", () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(stderr).not.toMatch(/EPIPE|STACK|Error:/);
    expect(stderr).not.toMatch(STACK_LINE);
    expect(code).toBe(141);
  });

  it("scenario text cannot drive the terminal: a description's escape sequences are printed as escapes", async () => {
    const file = join(root, "escapes.json");
    writeFileSync(
      file,
      JSON.stringify({ system: "kafka", description: "\u001b]0;owned\u0007\u001b[31mred\u009b2J", duration: "1s", cluster: { brokers: 1 }, topics: [{ name: "t", partitions: 1, replicationFactor: 1 }] }),
    );
    const run = await mqsim("run", file);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).not.toMatch(/[\u001b\u0007\u009b]/);
    // YAML writes ESC as \\e; the C1 CSI it would pass through raw is escaped on the way out.
    expect(run.stdout).toContain("owned");
    expect(run.stdout).toContain("\\x9b2J");
  });

  it("check searches what a safe preset claims to survive, and says what it left out and why", async () => {
    const run = await mqsim("check", "r3-safe", "--runs", "5");
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^no counterexample in 5 generated fault schedules of process crashes, pauses and power losses/);
    expect(run.stdout).toMatch(/not searched: network partitions — a partition longer than net_ticktime lets both sides promote and confirm/);
    const bad = await mqsim("check", "r3-safe", "--faults", "crash,meteor");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--faults: expected fault kinds among crash, pause, partition, power-loss/);
  });
});

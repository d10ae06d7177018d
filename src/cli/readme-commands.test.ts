/**
 * Every `npx mqsim …` line of the README's shell blocks, run as a user runs
 * it: in a scratch folder (so the reports, traces and files it writes land
 * there), after writing the files the README assumes the user has
 * (my-cluster.yaml, big.yaml, my.yaml, from the presets), checked for the
 * exit code and the output the README promises. A README command with no
 * expectation here fails the test: a new example must come with its check.
 */
import { existsSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYaml, stringify as toYaml } from "yaml";
import { PROJECT_ROOT, runMqsim, type MqsimRun } from "./mqsim-process.test-support.js";

const README = readFileSync(join(PROJECT_ROOT, "README.md"), "utf8");

interface Command {
  line: string;
  args: string[];
  /** `> file`: where stdout goes. */
  stdoutTo: string | null;
}

interface Expectation {
  args: RegExp;
  code: number | readonly number[];
  /** Checks of the output and the files written, in the scratch folder. */
  then?: (run: MqsimRun, dir: string) => void | Promise<void>;
}

const EXPECTATIONS: readonly Expectation[] = [
  { args: /^$/, code: 0, then: (run) => expect(run.stdout).toContain("Usage: mqsim") },
  { args: /^tour$/, code: 0, then: (run) => expect(run.stdout).toMatch(/(\d+) of \1 scenarios reached their expected verdict/) },
  { args: /^list$/, code: 0, then: (run) => expect(run.stdout).toContain("c9-replication-failover") },
  { args: /^run c9-replication-failover --out reports\/c9$/, code: 0, then: (_, dir) => expect(existsSync(join(dir, "reports/c9/report.html"))).toBe(true) },
  { args: /^run my-cluster\.yaml --seed 7$/, code: 0, then: (run) => expect(run.stdout).toMatch(/seed 7\n/) },
  { args: /^run k3 --trace k3\.json$/, code: 1, then: (_, dir) => expect(JSON.parse(readFileSync(join(dir, "k3.json"), "utf8"))).toHaveProperty("traceEvents") },
  { args: /^show k3$/, code: 0, then: (_, dir) => expect(parseYaml(readFileSync(join(dir, "k3.yaml"), "utf8"))).toHaveProperty("system", "kafka") },
  { args: /^check k3 --runs 200$/, code: 1, then: (run) => expect(run.stdout).toMatch(/^counterexample among /) },
  { args: /^check k3 --runs 400 --workers 2$/, code: 1, then: (run) => expect(run.stdout).toMatch(/^counterexample among /) },
  // Beyond what the preset claims: the search runs; whether it finds something is what the user wants to learn.
  { args: /^check c7-mirror-all-3 --faults crash,pause,partition,power-loss$/, code: [0, 1], then: (run) => expect(run.stdout).toMatch(/^(counterexample among|no counterexample in)/) },
  { args: /^replay k3 --seed 5$/, code: 1, then: (run) => expect(run.stdout).toMatch(/digest [0-9a-f]{16}/) },
  { args: /^replay k12 --seed 7 --path [\d:]+$/, code: 1, then: (run) => expect(run.stdout).toMatch(/^counterexample among [\s\S]*lost-effects: \d+ of \d+ acked never applied/) },
  { args: /^run big\.yaml --max-memory 8GiB --max-events 2000000000$/, code: 0 },
  { args: /^sweep c9-replication-failover --set config\["min\.insync\.replicas"\]=1,2 --set cluster\.brokers=3,5$/, code: 0, then: (run) => expect(run.stdout).toMatch(/4 points in/) },
  { args: /^sweep my\.yaml --workers 2 --out reports\/sweeps\/my$/, code: 0, then: (_, dir) => expect(existsSync(join(dir, "reports/sweeps/my/sweep.html"))).toBe(true) },
  { args: /^sweep my\.yaml --shard [12]\/2 --out shared\/$/, code: 0 },
  { args: /^merge shared\/ --out reports\/sweeps\/my$/, code: 0, then: (run) => expect(run.stdout).toMatch(/2 points/) },
];

/** The README's shell blocks' mqsim commands, in order: comments dropped, `&&` split, single quotes honoured, `> file` noted. */
function readmeCommands(): Command[] {
  const commands: Command[] = [];
  for (const block of README.matchAll(/```sh\n([\s\S]*?)```/g)) {
    for (const raw of block[1]!.split("\n")) {
      if (!raw.startsWith("npx mqsim")) continue;
      for (const part of raw.replace(/\s+#.*$/, "").split(" && ")) commands.push(parseCommand(part.trim()));
    }
  }
  return commands;
}

function parseCommand(line: string): Command {
  const words = [...line.matchAll(/'([^']*)'|(\S+)/g)].map((match) => match[1] ?? match[2]!);
  expect(words.slice(0, 2)).toEqual(["npx", "mqsim"]);
  const redirect = words.indexOf(">");
  const stdoutTo = redirect < 0 ? null : words[redirect + 1]!;
  const args = redirect < 0 ? words.slice(2) : words.slice(2, redirect);
  return { line, args, stdoutTo };
}

/** A scratch folder that can run mqsim (node_modules linked) and holds the files the README's examples assume. */
async function scratchFolder(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "mqsim-readme-"));
  symlinkSync(join(PROJECT_ROOT, "node_modules"), join(dir, "node_modules"));
  const c9 = parseYaml((await runMqsim(["show", "c9-replication-failover"], 30_000)).stdout) as Record<string, unknown>;
  writeFileSync(join(dir, "my-cluster.yaml"), toYaml(c9));
  writeFileSync(join(dir, "big.yaml"), toYaml({ ...c9, name: "big" }));
  writeFileSync(join(dir, "my.yaml"), toYaml({ ...c9, name: "my", duration: "5s", faults: [], sweep: { "cluster.brokers": [3, 5] } }));
  return dir;
}

describe("the README's commands", () => {
  it("each does what the README says, in a scratch folder, in the README's order", async () => {
    const commands = readmeCommands();
    expect(commands.length).toBeGreaterThan(15);
    const dir = await scratchFolder();
    for (const command of commands) {
      const joined = command.args.join(" ");
      const expectation = EXPECTATIONS.find((candidate) => candidate.args.test(joined));
      expect(expectation, `no expectation for the README's "${command.line}": add one to this test`).toBeDefined();
      const run = await runMqsim(command.args, 240_000, dir);
      if (command.stdoutTo !== null) writeFileSync(join(dir, command.stdoutTo), run.stdout);
      const codes = typeof expectation!.code === "number" ? [expectation!.code] : expectation!.code;
      expect(codes, `${command.line}\n${run.stderr}`).toContain(run.code);
      await expectation!.then?.(run, dir);
    }
  }, 900_000);

  it("replay --seed gives the run's digest, in another process", async () => {
    const [replayed, ran] = await Promise.all([runMqsim(["replay", "k3", "--seed", "5", "--json"], 30_000), runMqsim(["run", "k3", "--seed", "5", "--json"], 30_000)]);
    const digest = (run: MqsimRun): string => (JSON.parse(run.stdout.trim()) as { digest: string }).digest;
    expect(digest(replayed)).toBe(digest(ran));
  });
});

/**
 * The mqsim command, run as a user runs it: a separate Node process, checked
 * for exit codes and for what it prints.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT, runMqsim, type MqsimRun } from "./mqsim-process.test-support.js";

type Run = MqsimRun;

/** Runs `mqsim ...args` from the project root; a non-zero exit is a result, not an error. */
const mqsim = (...args: string[]): Promise<Run> => runMqsim(args, 15_000);

/** A Node or commander stack trace line: "    at fn (file:line:col)". */
const STACK_LINE = /^\s+at\s/m;

function expectBadInput(run: Run): string {
  expect(run.code, run.stderr).toBe(2);
  expect(run.stdout).toBe("");
  expect(run.stderr).not.toMatch(STACK_LINE);
  expect(run.stderr).not.toMatch(/SimulatorBug|TypeError|InvalidArgumentError/);
  return run.stderr;
}

describe("mqsim CLI", () => {
  it("--help exits 0 and shows usage with its own examples (the demo's are the demo's)", async () => {
    const run = await mqsim("--help");
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("Usage: mqsim");
    expect(run.stdout).toContain("demo");
    expect(run.stdout).toMatch(/Examples:\n\s+mqsim tour\b/);
    expect(run.stdout).not.toContain("mqsim demo --seed");
    for (const command of ["run", "check", "replay", "list", "show", "tour", "demo"]) expect(run.stdout).toContain(`  ${command}`);
    expect(run.stdout).toContain("Exit codes: 0 all checks held, 1 a safety check failed, 2 bad input");
  });

  it("a bare mqsim prints the help and exits 0; the tour is mqsim tour", async () => {
    const run = await mqsim();
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("Usage: mqsim");
    expect(run.stdout).not.toContain("scenarios reached their expected verdict");
  });

  it("an unknown command exits 2 and suggests the nearest one", async () => {
    const run = await mqsim("chek", "k3");
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown command 'chek'");
    expect(run.stderr).toContain("Did you mean check?");
    expect(run.stderr).not.toMatch(STACK_LINE);
  });

  it("--version prints the package's version", async () => {
    const run = await mqsim("--version");
    expect(run.code).toBe(0);
    const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")) as { version: string };
    expect(run.stdout.trim()).toBe(pkg.version);
  });

  it("run --quiet prints only the verdict, the failed checks and the replay command", async () => {
    const run = await mqsim("run", "k3", "--quiet");
    expect(run.code).toBe(1);
    const lines = run.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe("verdict: SAFETY FAILED");
    expect(lines.slice(1, -1).every((line) => line.startsWith("  FAIL "))).toBe(true);
    expect(lines[lines.length - 1]).toMatch(/^replay: npx mqsim replay k3 --seed \d+$/);
  });

  it("demo --help documents every flag, with defaults the flags accept", async () => {
    const run = await mqsim("demo", "--help");
    expect(run.code, run.stderr).toBe(0);
    for (const flag of ["--seed", "--nodes", "--duration", "--no-faults", "--disk", "--json"]) expect(run.stdout).toContain(flag);
    expect(run.stdout).toContain("Examples:");
    // The duration default is shown in the unit the flag takes, not in nanoseconds.
    expect(run.stdout).toMatch(/--duration <seconds>[\s\S]*?\(default:\s+20s\)/);
    expect(run.stdout).not.toContain("20000000000");
  });

  it("demo --seed abc exits 2, naming the flag, what was expected and what was given, without a stack trace", async () => {
    const stderr = expectBadInput(await mqsim("demo", "--seed", "abc"));
    expect(stderr).toContain("--seed");
    expect(stderr).toContain("expected an integer >= 0");
    expect(stderr).toContain('"abc"');
  });

  it("demo --seed with an empty value exits 2 rather than running seed 0", async () => {
    const stderr = expectBadInput(await mqsim("demo", "--seed", "", "--duration", "1s", "--json"));
    expect(stderr).toContain("--seed");
    expect(stderr).toContain('got ""');
  });

  it("demo --duration -5s exits 2 and says what a duration looks like", async () => {
    const stderr = expectBadInput(await mqsim("demo", "--duration", "-5s"));
    expect(stderr).toContain("--duration");
    expect(stderr).toContain('"-5s"');
    expect(stderr).toMatch(/expected seconds/);
  });

  it("a duration too short to simulate exits 2, not as a simulator bug", async () => {
    const stderr = expectBadInput(await mqsim("demo", "--duration", "0.000000001s", "--json"));
    expect(stderr).toContain("--duration");
    expect(stderr).toContain('"0.000000001s"');
  });

  it("an unknown disk profile exits 2, naming --disk and the profiles it accepts", async () => {
    const stderr = expectBadInput(await mqsim("demo", "--disk", "floppy", "--duration", "1s"));
    expect(stderr).toContain("--disk");
    expect(stderr).toContain("nvme-plp");
    expect(stderr).toContain('"floppy"');
  });

  it("an unknown option exits 2", async () => {
    const stderr = expectBadInput(await mqsim("demo", "--frobnicate"));
    expect(stderr).toContain("unknown option '--frobnicate'");
  });

  it("demo --json prints one JSON line with a 16-hex-digit digest; the text output and its replay line agree", async () => {
    const [json, text] = await Promise.all([mqsim("demo", "--seed", "3", "--duration", "2s", "--json"), mqsim("demo", "--seed", "3", "--duration", "2s")]);

    expect(json.code, json.stderr).toBe(0);
    const lines = json.stdout.split("\n");
    expect(lines).toHaveLength(2); // one line, then the final newline
    expect(lines[1]).toBe("");
    const result = JSON.parse(lines[0]!) as { seed: unknown; digest: unknown; stopReason: unknown; timeNs: unknown };
    expect(result.seed).toBe("3");
    expect(result.digest).toMatch(/^[0-9a-f]{16}$/);
    expect(result.stopReason).toBe("time-reached");
    expect(result.timeNs).toBe(2_000_000_000);
    const digest = result.digest as string;

    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^seed 3\b/m);
    expect(text.stdout).toContain(`trace digest ${digest}`);
    const replay = /^replay: mqsim (.+)$/m.exec(text.stdout);
    expect(replay, text.stdout).not.toBeNull();
    const replayArgs = replay![1]!.split(" ");
    expect(replayArgs).toEqual(expect.arrayContaining(["demo", "--seed", "3", "--duration", "2s"]));

    // The replay line is a command that reproduces the run, digest for digest.
    const replayed = await mqsim(...replayArgs, "--json");
    expect(replayed.code, replayed.stderr).toBe(0);
    expect((JSON.parse(replayed.stdout) as { digest: string }).digest).toBe(digest);
  });

  it("run <preset>: an unsafe preset exits 1 with the failed check and its first bad event; replay --seed gives the same digest", async () => {
    const [run, again] = await Promise.all([mqsim("run", "k3", "--json"), mqsim("replay", "k3", "--seed", "5", "--json")]);
    expect(run.code, run.stderr).toBe(1);
    const summary = JSON.parse(run.stdout) as { verdict: string; digest: string; checks: { check: string; ok: boolean; first?: { eventIndex: number } }[] };
    expect(summary.verdict).toBe("safety-failed");
    const lost = summary.checks.find((check) => check.check === "lost")!;
    expect(lost.ok).toBe(false);
    expect(lost.first!.eventIndex).toBeGreaterThan(0);
    expect(again.code).toBe(1);
    expect((JSON.parse(again.stdout) as { digest: string }).digest).toBe(summary.digest);
  });

  it("run <file>: a scenario written as YAML runs; its safe verdict exits 0 and the text summary ends with the replay command", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mqsim-cli-"));
    const file = join(dir, "mine.yaml");
    writeFileSync(
      file,
      ["system: kafka", "name: mine", "seed: 3", "duration: 3s", "cluster: { brokers: 3 }", "config: { min.insync.replicas: 2 }", "topics: [{ name: orders, partitions: 3, replicationFactor: 3 }]", "producers:", "  - { topic: orders, rate: 500/s, messageSize: 512B, config: { acks: all } }", "consumers:", "  - { group: billing, topics: [orders], processingTime: 1ms }", ""].join("\n"),
    );
    const run = await mqsim("run", file, "--out", join(dir, "report"));
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^seed 3$/m);
    expect(run.stdout).toContain("verdict: OK");
    expect(run.stdout).toMatch(/produce \(send → ack\)\s+p50 [0-9.]+ (ns|µs|ms|s) /);
    expect(run.stdout).toMatch(new RegExp(`^replay: npx mqsim replay '?${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}'? --seed '?3'?$`, "m"));
    expect(run.stdout).toContain("report: 9 files");
  });

  it("run <bad file> exits 2 listing every problem with its path, expectation and given value, and writes nothing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mqsim-cli-"));
    const file = join(dir, "bad.yaml");
    writeFileSync(file, "system: kafka\nduration: soon\ncluster: { brokers: 0 }\ntopics: [{ name: t, partitions: 1, replicationFactor: 1, colour: red }]\n");
    const stderr = expectBadInput(await mqsim("run", file, "--out", join(dir, "report")));
    expect(stderr).toContain('duration: expected a duration such as "250ms"');
    expect(stderr).toContain('(given: "soon")');
    expect(stderr).toContain("cluster.brokers");
    expect(stderr).toMatch(/topics\[0\].*colour/);
    expect(stderr).not.toContain("report:");
  });

  it("check <preset> finds a counterexample, prints it shrunk with a replay command that reproduces it, and writes the counterexample's report folder", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "mqsim-check-")), "k12");
    const check = await mqsim("check", "k12", "--runs", "60", "--seed", "7", "--out", out);
    expect(check.code, check.stderr).toBe(1);
    expect(check.stdout).toContain("fault schedule (");
    expect(check.stdout).toContain(`report: 9 files in ${out}`);
    const report = JSON.parse(readFileSync(join(out, "summary.json"), "utf8")) as { verdict: string; faults: string[]; replay: string };
    expect(report.verdict).toBe("safety-failed");
    const replay = /^replay: npx mqsim (replay k12 --seed 7 --path \S+)$/m.exec(check.stdout);
    expect(replay, check.stdout).not.toBeNull();
    expect(report.replay).toBe(`npx mqsim ${replay![1]}`);
    const replayed = await mqsim(...replay![1]!.split(" "));
    expect(replayed.code).toBe(1);
    const schedule = (text: string): string => /exact schedule: (.*)$/m.exec(text)![1]!;
    expect(schedule(replayed.stdout)).toBe(schedule(check.stdout));
    // The replayed run is summarised as mqsim run summarises one, and its replay line is the --path one, not a plain --seed replay of the scenario's own faults.
    expect(replayed.stdout).toContain("verdict: SAFETY FAILED");
    expect(replayed.stdout.trimEnd().split("\n").pop()).toBe(`replay: npx mqsim ${replay![1]}`);
    // --json, --out and --trace are honoured.
    const folder = mkdtempSync(join(tmpdir(), "mqsim-replay-"));
    const asJson = await mqsim(...replay![1]!.split(" "), "--json", "--out", join(folder, "report"), "--trace", join(folder, "trace.json"));
    expect(asJson.code, asJson.stderr).toBe(1);
    const summary = JSON.parse(asJson.stdout.trim()) as { verdict: string; faults: string[] };
    expect(summary.verdict).toBe("safety-failed");
    expect(summary.faults).toEqual(report.faults);
    expect(readdirSync(join(folder, "report"))).toContain("report.html");
    expect(JSON.parse(readFileSync(join(folder, "trace.json"), "utf8"))).toHaveProperty("traceEvents");
  });

  it("check --workers 2 runs two searches in worker threads and reports a counterexample that replays", async () => {
    const check = await mqsim("check", "k12", "--runs", "60", "--seed", "7", "--workers", "2", "--out", join(mkdtempSync(join(tmpdir(), "mqsim-check-")), "k12"));
    expect(check.code, check.stderr).toBe(1);
    const replay = /^replay: npx mqsim (replay k12 --seed (7|8) --path \S+)$/m.exec(check.stdout);
    expect(replay, check.stdout).not.toBeNull();
    const replayed = await mqsim(...replay![1]!.split(" "));
    const schedule = (text: string): string => /exact schedule: (.*)$/m.exec(text)![1]!;
    expect(schedule(replayed.stdout)).toBe(schedule(check.stdout));
  });

  it("check on a safe preset finds nothing and exits 0; list and show work", async () => {
    const [check, list, show] = await Promise.all([mqsim("check", "k12-safe", "--runs", "15"), mqsim("list"), mqsim("show", "k3")]);
    expect(check.code, check.stdout).toBe(0);
    expect(check.stdout).toContain("no counterexample in 15 generated fault schedules");
    expect(list.code).toBe(0);
    expect(list.stdout).toContain("c9-replication-failover");
    expect(show.code).toBe(0);
    expect(show.stdout).toContain("unclean.leader.election.enable: true");
  });
});

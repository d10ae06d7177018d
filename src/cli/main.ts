#!/usr/bin/env node
/**
 * The `mqsim` command: run a scenario file or a built-in preset and get a
 * summary and a report folder; search fault schedules for a counterexample
 * (check); replay a run or a counterexample exactly; list and show the
 * presets; and the world demo of the kernel and world alone.
 */
import { readFileSync } from "node:fs";
import { Command, InvalidArgumentError, Option } from "commander";
import { SimulatorBug } from "../kernel/assert.js";
import { DEFAULT_WORLD_DEMO, runWorldDemo } from "../demo/world-demo.js";
import { DISK_PROFILE_NAMES } from "../world/disk-profile.js";
import { parseSizeBytes } from "../scenario/units.js";
import { FAULT_KINDS, parseFaultKinds, type FaultKind } from "../faults/fault-kinds.js";
import { renderWorldDemo } from "./render-world-demo.js";

import { EXIT_BAD_INPUT, EXIT_OK, EXIT_PIPE_CLOSED, EXIT_SIMULATOR_BUG } from "./exit-codes.js";
import { describeWriteError } from "./output-paths.js";
import { guardStream, terminalSafe } from "./terminal-text.js";
import { tourCommand } from "./tour.js";
import { CHECK_FAULTS_MAX_DEFAULT } from "../scenario/check-scenario.js";
import { checkCommand, listCommand, runCommand, showCommand, type CheckFlags, type RunFlags } from "./scenario-commands.js";
import { mergeCommand, sweepCommand, type SweepFlags } from "./sweep-commands.js";

function parseInteger(name: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return (text: string): number => {
    // Decimal digits only: Number() would also take "", " ", "0x10" and "1e3".
    const value = /^[0-9]+$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
      throw new InvalidArgumentError(`${name}: expected an integer ${range}, got ${JSON.stringify(text)}`);
    }
    return value;
  };
}

function parseMemory(text: string): number {
  const bytes = parseSizeBytes(text);
  if (bytes === null || bytes < 128 * 1_048_576) throw new InvalidArgumentError(`--max-memory: expected a size of at least 128MiB, such as "4GiB", got ${JSON.stringify(text)}`);
  return bytes;
}

function budgetFlagsOf(flags: { maxEvents?: number; maxMemory?: number }): { maxEvents?: number; maxMemory?: number } {
  return { ...(flags.maxEvents === undefined ? {} : { maxEvents: flags.maxEvents }), ...(flags.maxMemory === undefined ? {} : { maxMemory: flags.maxMemory }) };
}

/** --max-events and --max-memory on every command that runs scenarios. */
function withBudgetFlags(command: Command): Command {
  return command
    .option("--max-events <n>", "events budget: replaces the scenario's budgets.maxEvents", parseInteger("--max-events", 1_000, 10_000_000_000))
    .option("--max-memory <size>", "memory budget, e.g. 4GiB: replaces the scenario's budgets.maxMemory (default 1GiB)", parseMemory);
}

function parseKinds(text: string): FaultKind[] {
  const parsed = parseFaultKinds(text);
  if (!parsed.ok) throw new InvalidArgumentError(`--faults: ${parsed.message}`);
  return parsed.kinds;
}

/** The demo's traffic is all-to-all: its cost grows with the square of the nodes (100 nodes: about 3 s per simulated 5 s). */
const DEMO_NODES_MAX = 64;

/** fast-check's replay path as mqsim check prints it: run index, then shrink steps, colon-separated. */
function parseSearchPath(text: string): string {
  if (!/^[0-9]{1,9}(:[0-9]{1,9}){0,9999}$/.test(text)) {
    throw new InvalidArgumentError(`--path: expected a counterexample path as mqsim check printed it, such as "37:0:4:2", got ${JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text)}`);
  }
  return text;
}

/** Commander's way to repeat an option: each occurrence appends to the list. */
function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function parseSeconds(text: string): number {
  const value = Number(text.endsWith("s") ? text.slice(0, -1) : text);
  // At least a millisecond: shorter runs round to (nearly) zero nanoseconds.
  if (!Number.isFinite(value) || value < 0.001 || value > 86_400) {
    throw new InvalidArgumentError(`--duration: expected seconds in [0.001, 86400], like "20s", got ${JSON.stringify(text)}`);
  }
  return Math.round(value * 1e9);
}

function parseDiskProfile(text: string): string {
  if (!(DISK_PROFILE_NAMES as readonly string[]).includes(text)) {
    throw new InvalidArgumentError(`--disk: expected one of ${DISK_PROFILE_NAMES.join(", ")}, got ${JSON.stringify(text)}`);
  }
  return text;
}

const EXAMPLES = `
Examples:
  mqsim tour                                  # every built-in scenario, reports in reports/tour/ (what npm start does)
  mqsim list                                  # the built-in scenarios
  mqsim run c9-replication-failover --out reports/c9
  mqsim run my-cluster.yaml --seed 7          # a scenario file (YAML or JSON)
  mqsim run r3 --out reports/r3               # RabbitMQ: a mirror promoted unsynchronised
  mqsim check k3 --runs 200                   # search fault schedules for a counterexample
  mqsim replay k3 --seed 42                   # the same run, the same digest
  mqsim show k3 > k3.yaml                     # a preset as a file to edit
  mqsim sweep my-cluster.yaml --set cluster.brokers=3,5 --set 'config["min.insync.replicas"]=1,2'
  mqsim sweep my-cluster.yaml --shard 1/2 --out sweeps/a   # one half; the other half elsewhere
  mqsim merge sweeps/a sweeps/b --out sweeps/all           # the shards' results as one report

Exit codes: 0 all checks held, 1 a safety check failed, 2 bad input,
3 liveness failed, 70 simulator bug (sweep and merge: 0 when complete,
whatever the points' verdicts; 130 when interrupted).
`;

const DEMO_EXAMPLES = `
Examples:
  mqsim demo --seed 42
  mqsim demo --seed 42 --json   # same seed, same digest, in any process
  mqsim demo --nodes 7 --duration 60s --disk hdd --no-faults
`;

/** The package's version, from its package.json (two folders up from src/cli/ and dist/cli/ alike). */
function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: string };
  return pkg.version ?? "unknown";
}

interface DemoFlags {
  seed: number;
  nodes: number;
  duration: number;
  faults: boolean;
  disk: string;
  json?: boolean;
}

function runDemo(flags: DemoFlags): number {
  const started = performance.now();
  const result = runWorldDemo({
    seed: flags.seed,
    nodeCount: flags.nodes,
    durationNs: flags.duration,
    withFaults: flags.faults,
    diskProfile: flags.disk,
  });
  const wallMs = performance.now() - started;
  if (flags.json === true) process.stdout.write(`${JSON.stringify(result)}\n`);
  else process.stdout.write(renderWorldDemo(result, wallMs, flags));
  return EXIT_OK;
}

const program = new Command();
program
  .name("mqsim")
  .description("Deterministic discrete-event simulator of message-queue clusters.")
  .version(packageVersion(), "--version", "print the version")
  .showHelpAfterError("(mqsim --help lists the commands and their options)")
  .showSuggestionAfterError()
  .addHelpText("after", EXAMPLES)
  .exitOverride();

withBudgetFlags(program.command("run"))
  .description("Run a scenario file or a built-in preset: summary, checks, and a report folder with --out")
  .argument("<scenario>", "a YAML/JSON scenario file or a preset name (see mqsim list)")
  .option("--seed <n>", "run seed (default: the scenario's)", parseInteger("--seed", 0))
  .option("--out <dir>", "write report.html, report.md, charts and summary.json here")
  .option("--trace <file>", "write a Chrome/Perfetto trace of the run (open in ui.perfetto.dev)")
  .option("--json", "print the summary as one JSON line")
  .option("--quiet", "print only the verdict, the failed checks and the replay command")
  .action(async (scenario: string, flags: RunFlags) => {
    process.exitCode = await runCommand(scenario, flags);
  });

withBudgetFlags(program.command("replay"))
  .description("Replay a run exactly (--seed), or a counterexample of mqsim check (--seed and --path)")
  .argument("<scenario>", "a scenario file or a preset name")
  .requiredOption("--seed <n>", "the run seed, or with --path the search seed", parseInteger("--seed", 0))
  .option("--path <path>", "fast-check's path of a counterexample, as mqsim check printed it", parseSearchPath)
  .option("--faults <kinds>", `with --path: the check's --faults (${FAULT_KINDS.join(",")})`, parseKinds)
  .option("--power-loss", "with --path: the check's --power-loss")
  .option("--faults-max <n>", "with --path: the check's --faults-max", parseInteger("--faults-max", 1), CHECK_FAULTS_MAX_DEFAULT)
  .option("--out <dir>", "write the report folder here")
  .option("--trace <file>", "write a Chrome/Perfetto trace of the run (open in ui.perfetto.dev)")
  .option("--json", "print the summary as one JSON line")
  .option("--quiet", "print only the verdict, the failed checks and the replay command")
  .action(async (scenario: string, flags: RunFlags & { path?: string; powerLoss?: boolean; faults?: FaultKind[]; faultsMax: number }) => {
    if (flags.path === undefined) process.exitCode = await runCommand(scenario, flags);
    else {
      process.exitCode = await checkCommand(scenario, {
        runs: 1,
        seed: flags.seed!,
        path: flags.path,
        faultsMax: flags.faultsMax,
        ...(flags.faults === undefined ? {} : { faults: flags.faults }),
        ...(flags.powerLoss === true ? { powerLoss: true } : {}),
        ...(flags.out === undefined ? {} : { out: flags.out }),
        ...(flags.trace === undefined ? {} : { trace: flags.trace }),
        ...(flags.json === true ? { json: true } : {}),
        ...(flags.quiet === true ? { quiet: true } : {}),
        isReplay: true,
        ...budgetFlagsOf(flags),
      });
    }
  });

withBudgetFlags(program.command("check"))
  .description("Search generated fault schedules for a safety counterexample; print it shrunk, with the replay command")
  .argument("<scenario>", "a scenario file or a preset name")
  .option("--runs <n>", "generated fault schedules to try", parseInteger("--runs", 1), 100)
  .option("--seed <n>", "search seed", parseInteger("--seed", 0), 42)
  .option("--faults-max <n>", "most fault events per schedule", parseInteger("--faults-max", 1), CHECK_FAULTS_MAX_DEFAULT)
  .option("--faults <kinds>", `the kinds of fault to draw, comma-separated: ${FAULT_KINDS.join(", ")} (default: what the preset claims to survive, else crash,pause,partition)`, parseKinds)
  .option("--power-loss", "add power losses (Kafka does not fsync by default)")
  .option("--path <path>", "replay one counterexample of an earlier search", parseSearchPath)
  .option("--workers <k>", "independent searches in worker threads (search seeds seed … seed+k-1), one thread per core at most", parseInteger("--workers", 1), 1)
  .option("--oversubscribe", "with --workers: one thread per search even beyond the cores")
  .option("--out <dir>", "where the counterexample's report folder goes (default reports/check/<scenario>)")
  .option("--trace <file>", "write a Chrome/Perfetto trace of the counterexample's run")
  .action(async (scenario: string, flags: CheckFlags) => {
    process.exitCode = await checkCommand(scenario, flags);
  });

withBudgetFlags(program.command("sweep"))
  .description("Run every combination of parameter values (the scenario's sweep: block and --set flags) in worker threads; resumable; table and report")
  .argument("<scenario>", "a scenario file or a preset name")
  .option("--set <path=values>", 'a parameter and its values, repeatable: cluster.brokers=3,5 or config["min.insync.replicas"]=1,2 (overrides the sweep: block for that path)', collect, [])
  .option("--workers <n>", "worker threads (default and most: the number of cores; 1 runs in process)", parseInteger("--workers", 1))
  .option("--oversubscribe", "with --workers: more threads than cores")
  .option("--out <dir>", "results (points.jsonl) and report folder (default: reports/sweeps/<scenario name>)")
  .option("--shard <i/n>", "run only the points whose index is i-1 modulo n, into points.shard-i-of-n.jsonl; combine with mqsim merge")
  .option("--seed <n>", "base seed every point's seed derives from (default: the scenario's)", parseInteger("--seed", 0))
  .option("--no-point-reports", "skip each point's own run report (points/p1, …): faster for big grids, no per-point links")
  .action(async (scenario: string, flags: SweepFlags) => {
    process.exitCode = await sweepCommand(scenario, flags);
  });

program
  .command("merge")
  .description("Combine sweep results (shards' points.shard-i-of-n.jsonl files, or their folders) into one sweep report")
  .argument("<inputs...>", "results files or folders holding them")
  .requiredOption("--out <dir>", "where the merged report goes")
  .action(async (inputs: string[], flags: { out: string }) => {
    process.exitCode = await mergeCommand(inputs, flags);
  });

program
  .command("list")
  .description("List the built-in scenarios")
  .action(() => {
    process.exitCode = listCommand();
  });

program
  .command("show")
  .description("Print a built-in scenario as YAML")
  .argument("<preset>", "a preset name")
  .action((name: string) => {
    process.exitCode = showCommand(name);
  });

program
  .command("tour")
  .description("Run every built-in scenario, write reports/tour/ with an index page, print a summary (what npm start does)")
  .option("--out <dir>", "where the reports go", "reports/tour")
  .action(async (flags: { out: string }) => {
    process.exitCode = await tourCommand(flags.out);
  });

program
  .command("demo")
  .description("Run the seeded world demo: nodes, network, disks and faults, with its trace digest")
  .option("--seed <n>", "run seed", parseInteger("--seed", 0), Number(DEFAULT_WORLD_DEMO.seed))
  .option("--nodes <n>", `number of nodes (2 to ${DEMO_NODES_MAX})`, parseInteger("--nodes", 2, DEMO_NODES_MAX), DEFAULT_WORLD_DEMO.nodeCount)
  .addOption(
    new Option("--duration <seconds>", "virtual time to simulate, e.g. 20s")
      .argParser(parseSeconds)
      .default(DEFAULT_WORLD_DEMO.durationNs, `${DEFAULT_WORLD_DEMO.durationNs / 1e9}s`),
  )
  .option("--no-faults", "run without the random fault schedule")
  .option("--disk <profile>", `disk profile: ${DISK_PROFILE_NAMES.join(", ")}`, parseDiskProfile, DEFAULT_WORLD_DEMO.diskProfile)
  .option("--json", "print the result as one JSON line")
  .addHelpText("after", DEMO_EXAMPLES)
  .action((flags: DemoFlags) => {
    process.exitCode = runDemo(flags);
  });

// Scenario text (descriptions, swept values) reaches stdout: it must not drive the terminal.
guardStream(process.stdout);

// Piping into `head` closes stdout early: that ends the output, not in a stack
// trace. Any other failure to write it (stdout at /dev/full) is said once, on stderr.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE") process.stderr.write(`mqsim: cannot write the output: ${describeWriteError(error)}\n`);
  // 141 = 128 + SIGPIPE, what a shell reports for a writer the pipe's reader left.
  process.exit(error.code === "EPIPE" ? EXIT_PIPE_CLOSED : EXIT_BAD_INPUT);
});
process.stderr.on("error", () => process.exit(EXIT_PIPE_CLOSED));

try {
  // A bare `mqsim` shows what it can do (the tour is `mqsim tour`, or npm start).
  if (process.argv.length <= 2) program.outputHelp();
  else await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof SimulatorBug) {
    process.stderr.write(terminalSafe(`mqsim: simulator bug (please report with the command line): ${error.message}\n${error.stack ?? ""}\n`));
    process.exitCode = EXIT_SIMULATOR_BUG;
  } else if (error instanceof Error && "exitCode" in error && typeof error.exitCode === "number") {
    // commander already printed the problem; --help and --version exit 0.
    process.exitCode = error.exitCode === 0 ? EXIT_OK : EXIT_BAD_INPUT;
  } else if (error instanceof Error) {
    // Every flag is validated by its parser before anything runs, so an error
    // thrown during a run is the simulator's fault, not the user's.
    process.stderr.write(terminalSafe(`mqsim: internal error (please report with the command line): ${error.message}\n${error.stack ?? ""}\n`));
    process.exitCode = EXIT_SIMULATOR_BUG;
  } else {
    throw error;
  }
}

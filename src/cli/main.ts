#!/usr/bin/env node
/**
 * The `mqsim` command. For now it runs what exists: the deterministic kernel
 * and world (nodes, network, disks, faults) under a seeded random workload.
 * The scenario/preset commands arrive with the message-queue models.
 */
import { Command, InvalidArgumentError, Option } from "commander";
import { SimulatorBug } from "../kernel/assert.js";
import { DEFAULT_WORLD_DEMO, runWorldDemo } from "../demo/world-demo.js";
import { DISK_PROFILE_NAMES } from "../world/disk-profile.js";
import { renderWorldDemo } from "./render-world-demo.js";

const EXIT_OK = 0;
const EXIT_BAD_INPUT = 2;
const EXIT_SIMULATOR_BUG = 70;

function parseInteger(name: string, min: number) {
  return (text: string): number => {
    // Decimal digits only: Number() would also take "", " ", "0x10" and "1e3".
    const value = /^[0-9]+$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(value) || value < min) {
      throw new InvalidArgumentError(`${name}: expected an integer >= ${min}, got ${JSON.stringify(text)}`);
    }
    return value;
  };
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
  mqsim demo --seed 42
  mqsim demo --seed 42 --json   # same seed, same digest, in any process
  mqsim demo --nodes 7 --duration 60s --disk hdd --no-faults
`;

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
  .showHelpAfterError()
  .addHelpText("after", EXAMPLES)
  .exitOverride();

program
  .command("demo", { isDefault: true })
  .description("Run the seeded world demo: nodes, network, disks and faults, with its trace digest")
  .option("--seed <n>", "run seed", parseInteger("--seed", 0), Number(DEFAULT_WORLD_DEMO.seed))
  .option("--nodes <n>", "number of nodes", parseInteger("--nodes", 2), DEFAULT_WORLD_DEMO.nodeCount)
  .addOption(
    new Option("--duration <seconds>", "virtual time to simulate, e.g. 20s")
      .argParser(parseSeconds)
      .default(DEFAULT_WORLD_DEMO.durationNs, `${DEFAULT_WORLD_DEMO.durationNs / 1e9}s`),
  )
  .option("--no-faults", "run without the random fault schedule")
  .option("--disk <profile>", `disk profile: ${DISK_PROFILE_NAMES.join(", ")}`, parseDiskProfile, DEFAULT_WORLD_DEMO.diskProfile)
  .option("--json", "print the result as one JSON line")
  .addHelpText("after", EXAMPLES)
  .action((flags: DemoFlags) => {
    process.exitCode = runDemo(flags);
  });

try {
  program.parse(process.argv);
} catch (error) {
  if (error instanceof SimulatorBug) {
    process.stderr.write(`mqsim: simulator bug (please report with the command line): ${error.message}\n${error.stack ?? ""}\n`);
    process.exitCode = EXIT_SIMULATOR_BUG;
  } else if (error instanceof Error && "exitCode" in error && typeof error.exitCode === "number") {
    // commander already printed the problem; --help and --version exit 0.
    process.exitCode = error.exitCode === 0 ? EXIT_OK : EXIT_BAD_INPUT;
  } else if (error instanceof Error) {
    // Every flag is validated by its parser before anything runs, so an error
    // thrown during a run is the simulator's fault, not the user's.
    process.stderr.write(`mqsim: internal error (please report with the command line): ${error.message}\n${error.stack ?? ""}\n`);
    process.exitCode = EXIT_SIMULATOR_BUG;
  } else {
    throw error;
  }
}

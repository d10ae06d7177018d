/**
 * `npm run bench:peers`: mqsim's kernel against other simulators' event
 * sets on the hold model (N pending, one fired and one scheduled per step,
 * exponential delays of mean 1 ms), in the same run, in interleaved rounds:
 * SimPy (Debian's python3-simpy3) and ns-3's simulator core with each of its
 * schedulers (Debian's libns3-dev, built here with g++). It installs
 * nothing: a peer that is not on the machine is skipped, and the report
 * says so. The result goes into bench-kernel.md's "Against other
 * simulators" section (kept there when `npm run bench` rewrites the rest)
 * and bench-peers.json.
 *
 * A ratio is mqsim's events per second over the peer's, median over rounds.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Kernel } from "../src/kernel/kernel.js";
import { BenchOutput, benchProgress } from "./bench-output.js";
import { HoldModel } from "./hold-model.js";
import { PEERS_BEGIN, PEERS_END, withPeersSection } from "./peers-section.js";

const SEED = 20261122;
const ROUNDS = 5;
const PENDING = [1_000, 100_000];
const NS3_SCHEDULERS = ["ns3::MapScheduler", "ns3::HeapScheduler", "ns3::CalendarScheduler", "ns3::PriorityQueueScheduler"];
/** Events per timed round: SimPy is ~10x slower, so it fires fewer (its rate, not its count, is compared). */
const EVENTS = { mqsim: 1_000_000, simpy: 200_000, ns3: 1_000_000 };

interface Peer {
  name: string;
  /** Events per second at `pending`. */
  rate(pending: number): number;
}

interface PeerResult {
  peer: string;
  pending: number;
  peerEventsPerSecMedian: number;
  mqsimEventsPerSecMedian: number;
  /** mqsim's speed / the peer's, median over rounds. */
  ratioMedian: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function jsonRate(output: string): number {
  const { events, seconds } = JSON.parse(output.trim().split("\n").at(-1)!) as { events: number; seconds: number };
  return events / seconds;
}

/** Debian's python3 with SimPy, or the first python3 on the PATH that has it. */
function findSimPy(): Peer | string {
  const script = fileURLToPath(new URL("./peers/simpy_hold.py", import.meta.url));
  for (const python of ["/usr/bin/python3", "python3"]) {
    try {
      const version = execFileSync(python, ["-c", "import simpy; print(simpy.__version__)"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
      return { name: `SimPy ${version}`, rate: (pending) => jsonRate(execFileSync(python, [script, String(pending), String(EVENTS.simpy)], { encoding: "utf8" })) };
    } catch {
      // Not this one.
    }
  }
  return "SimPy: skipped (no python3 with simpy; Debian: apt-get install python3-simpy3)";
}

/** ns-3's hold model built against Debian's libns3-core, one peer per scheduler. */
function findNs3(buildDir: string): Peer[] | string {
  if (!existsSync("/usr/include/ns3/core-module.h")) return "ns-3: skipped (no ns-3 headers; Debian: apt-get install libns3-dev)";
  const binary = join(buildDir, "ns3_hold");
  try {
    execFileSync("g++", ["-O2", "-std=c++17", "-o", binary, fileURLToPath(new URL("./peers/ns3_hold.cc", import.meta.url)), "-lns3-core"], { stdio: ["ignore", "ignore", "pipe"] });
  } catch (error) {
    return `ns-3: skipped (could not build the hold model with g++ -lns3-core: ${error instanceof Error ? error.message.split("\n")[0] : String(error)})`;
  }
  return NS3_SCHEDULERS.map((scheduler) => ({
    name: `ns-3 ${scheduler.replace("ns3::", "")}`,
    rate: (pending: number) => jsonRate(execFileSync(binary, [String(pending), String(EVENTS.ns3), scheduler], { encoding: "utf8" })),
  }));
}

/** One timed round, after a quarter as many untimed events: the same warm-up each peer's own program does before it times (caches and branch predictors just served another process). */
function mqsimRate(hold: HoldModel): number {
  hold.runEvents(EVENTS.mqsim / 4);
  const startedMs = performance.now();
  hold.runEvents(EVENTS.mqsim);
  return EVENTS.mqsim / ((performance.now() - startedMs) / 1000);
}

/** Interleaved rounds: mqsim, then every peer, ROUNDS times, per pending-set size. */
function measure(peers: readonly Peer[], onRound: (done: number, total: number, what: string) => void): PeerResult[] {
  const results: PeerResult[] = [];
  const total = PENDING.length * ROUNDS;
  let done = 0;
  for (const pending of PENDING) {
    const hold = new HoldModel(new Kernel({ seed: SEED }), pending);
    hold.runEvents(EVENTS.mqsim); // warm-up
    const mqsim: number[] = [];
    const byPeer = new Map<string, number[]>(peers.map((peer) => [peer.name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      mqsim.push(mqsimRate(hold));
      for (const peer of peers) byPeer.get(peer.name)!.push(peer.rate(pending));
      onRound(++done, total, `${pending} pending, round ${round + 1}`);
    }
    for (const peer of peers) {
      const rates = byPeer.get(peer.name)!;
      const ratios = rates.map((rate, k) => mqsim[k]! / rate);
      results.push({ peer: peer.name, pending, peerEventsPerSecMedian: Math.round(median(rates)), mqsimEventsPerSecMedian: Math.round(median(mqsim)), ratioMedian: Number(median(ratios).toFixed(2)) });
    }
  }
  return results;
}

function renderSection(results: readonly PeerResult[], skipped: readonly string[]): string {
  const lines = [
    PEERS_BEGIN,
    "## Against other simulators (`npm run bench:peers`)",
    "",
    `The hold model (exponential delays, mean 1 ms) on each simulator's own event set, in ${ROUNDS} interleaved rounds in one run on ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}. ` +
      "mqsim's kernel runs with its digest on; SimPy runs its idiomatic processes (one generator per pending event); ns-3 runs its simulator core with each scheduler. " +
      "The ratio is mqsim's events per second over the peer's (median over rounds). Targets (issue 16): >= 1.5x ns-3's best scheduler and >= 12x SimPy at 10^3 pending.",
    "",
    "| peer | pending | peer M events/s | mqsim M events/s | mqsim / peer |",
    "|---|---:|---:|---:|---:|",
    ...results.map((r) => `| ${r.peer} | ${r.pending.toLocaleString("en-US")} | ${(r.peerEventsPerSecMedian / 1e6).toFixed(2)} | ${(r.mqsimEventsPerSecMedian / 1e6).toFixed(2)} | ${r.ratioMedian.toFixed(2)} |`),
    "",
    ...(skipped.length === 0 ? [] : [...skipped.map((line) => `- ${line}`), ""]),
    PEERS_END,
  ];
  return `${lines.join("\n")}\n`;
}

async function main(): Promise<void> {
  const output = new BenchOutput();
  const buildDir = mkdtempSync(join(os.tmpdir(), "mqsim-peers-"));
  try {
    const skipped: string[] = [];
    const peers: Peer[] = [];
    const simpy = findSimPy();
    if (typeof simpy === "string") skipped.push(simpy);
    else peers.push(simpy);
    const ns3 = findNs3(buildDir);
    if (typeof ns3 === "string") skipped.push(ns3);
    else peers.push(...ns3);
    const progress = benchProgress("bench:peers");
    const results = measure(peers, (done, total, what) => progress.update(done / total, what));
    progress.stop();
    const kernelReport = output.path("bench-kernel.md");
    const before = existsSync(kernelReport) ? readFileSync(kernelReport, "utf8") : "# Kernel benchmark\n\n(`npm run bench` writes the rest of this file.)\n";
    const section = renderSection(results, skipped);
    await output.write("", [
      { name: "bench-kernel.md", content: withPeersSection(before, section) },
      { name: "bench-peers.json", content: `${JSON.stringify({ rounds: ROUNDS, events: EVENTS, results, skipped }, null, 2)}\n` },
    ]);
    process.stdout.write(section);
    process.stdout.write(output.summary());
  } finally {
    rmSync(buildDir, { recursive: true, force: true });
  }
}

await main();

/**
 * Runs a validated scenario with a seed and summarises the run for reports:
 * the simulation (the scenario's `system`, from src/systems/index.ts), then
 * numbers read off its History, the world's traffic and disk counters, the
 * checks and the liveness verdict, in one RunSummary shape for every system.
 *
 * Verdict: "safety-failed" when a check the scenario asks for (or, by
 * default, a safety check) fails; else "liveness-failed" when the cluster did
 * not converge in time; else "ok".
 */
import { formatCheckResult } from "../checks/format-check-results.js";
import type { CheckResult } from "../checks/violation.js";
import { describeFault, type FaultSchedule } from "../faults/fault.js";
import { compareStrings } from "../kernel/order.js";
import { findUnavailabilityWindows } from "../checks/unavailability.js";
import { measureWriteUnavailability, producerDownWindows } from "../checks/write-unavailability.js";
import type { History } from "../history/history.js";
import { CLUSTER_EVENTS_LISTED, SUMMARY_SCHEMA_VERSION, type CheckSummary, type DiskSummary, type RunSummary, type TrafficSummary, type UnavailabilitySummary, type Verdict, type WorkloadBusy } from "../report/run-summary.js";
import type { SystemRunFacts, SystemRunResult, SystemRunSpec } from "../run/system.js";
import type { RunProgress } from "../run/run-sequence.js";
import { systemNamed } from "../systems/index.js";
import type { WorldCounters } from "../world/world-counters.js";
import { historyMetrics } from "../history/history-metrics.js";
import type { Scenario } from "./schema.js";
import { lostMessageStories } from "./lost-message-stories.js";

/** A run of a scenario: its summary, and the system's own spec and result (read them through the system, src/run/system.ts). */
export interface ScenarioRun {
  system: Scenario["system"];
  summary: RunSummary;
  result: SystemRunResult;
  spec: SystemRunSpec;
}

/** Runs the scenario with `seed`; with `faults`, that schedule in place of the scenario's own (a counterexample of mqsim check). */
/** How a caller watches a run (nothing here changes what the run does). */
export interface RunWatch {
  onProgress?: (progress: RunProgress) => void;
}

export function runScenario(scenario: Scenario, seed: number | string = scenario.seed, faults?: FaultSchedule, watch: RunWatch = {}): ScenarioRun {
  const system = systemNamed(scenario.system);
  const own = system.runSpecOf(scenario, seed);
  const watched = watch.onProgress === undefined ? own : { ...own, onProgress: watch.onProgress };
  const spec = withWorkloadProbe(faults === undefined ? watched : { ...watched, faults });
  const result = system.run(spec);
  return { system: scenario.system, summary: summarize(scenario, spec, result), result, spec };
}

/** The spec with a probe at the end of the workload (the fault phase): summarize reads the resources' busy time there. A probe adds no event. */
export function withWorkloadProbe<Spec extends SystemRunSpec>(spec: Spec): Spec {
  const earlier = (spec.probesAtNs ?? []).filter((atNs) => atNs < spec.faultPhaseNs);
  return { ...spec, probesAtNs: [...earlier, spec.faultPhaseNs] };
}

/** The checks whose failure makes a run of this scenario safety-failed. */
export function requiredChecks(scenario: Scenario): readonly string[] {
  return scenario.checks ?? systemNamed(scenario.system).defaultSafetyChecks;
}

export function summarize(scenario: Scenario, spec: SystemRunSpec, result: SystemRunResult): RunSummary {
  const bucketNs = timelineBucketNs(scenario.duration);
  const metrics = historyMetrics(result.history, bucketNs, result.timeNs);
  const required = requiredChecks(scenario);
  const checks = result.checks.map(checkSummary);
  const isConverged = result.liveness.isConverged;
  const isSafe = result.checks.every((check) => check.ok || !required.includes(check.check) || (!isConverged && isOnlyUnfinished(check)));
  const verdict: Verdict = !isSafe ? "safety-failed" : isConverged ? "ok" : "liveness-failed";
  const facts = systemNamed(scenario.system).facts(spec, result);
  const ackedBytes = facts.clientMessageBytes.reduce((sum, [client, bytes]) => sum + (metrics.ackedByClient.get(client) ?? 0) * bytes, 0);
  const seconds = scenario.duration / 1e9;
  const unavailability = result.checks.find((check) => check.check === "unavailability")?.counts ?? {};
  const traffic = trafficSummary(facts.world);
  const servers = new Set(facts.serverNodes);
  const interNodeBytes = traffic.byLink.reduce((sum, link) => sum + (servers.has(link.from) && servers.has(link.to) ? link.bytes : 0), 0);
  return {
    schemaVersion: SUMMARY_SCHEMA_VERSION,
    scenario: scenario.name,
    system: scenario.system,
    seed: result.seed,
    digest: result.digest,
    verdict,
    virtualTimeNs: result.timeNs,
    events: result.events,
    stopReason: result.stopReason,
    messages: metrics.messages,
    throughput: { ackedPerSec: metrics.messages.acked / seconds, ackedBytesPerSec: ackedBytes / seconds },
    latency: { produce: metrics.produce, endToEnd: metrics.endToEnd, request: metrics.request },
    timeline: metrics.timeline,
    traffic,
    interNode: facts.interNode(interNodeBytes, ackedBytes),
    disks: diskSummaries(facts.world, result.timeNs, facts.serverNodes),
    threads: facts.threads,
    workloadBusy: workloadBusy(spec, result, facts),
    ...(facts.systemNumbers === undefined ? {} : { systemNumbers: facts.systemNumbers }),
    checks,
    unavailability: unavailabilitySummary(result.history, unavailability),
    liveness: { ...result.liveness, reasons: result.liveness.reasons.slice(0, 20) },
    marks: [...result.marks].sort((a, b) => compareStrings(a[0], b[0])),
    faults: [...spec.faults].sort((a, b) => a.atNs - b.atNs).map((fault) => ({ ...fault, line: describeFault(fault) })),
    cluster: { events: result.clusterEvents.slice(0, CLUSTER_EVENTS_LISTED).map((event) => ({ ...event })), leftOut: result.clusterEventsLeftOut + Math.max(0, result.clusterEvents.length - CLUSTER_EVENTS_LISTED) },
    ...lostMessagesOf(result),
  };
}

/** The lost messages' stories, only when the lost check found some. */
function lostMessagesOf(result: SystemRunResult): Pick<RunSummary, "lostMessages"> {
  const stories = lostMessageStories(result.history, result.checks, result.clusterEvents);
  return stories.length === 0 ? {} : { lostMessages: stories };
}

const STREAMS_LISTED = 50;

/** Busy time to the end of the workload, from the probe there; the end of the run when it stopped before. */
function workloadBusy(spec: SystemRunSpec, result: SystemRunResult, facts: SystemRunFacts): WorkloadBusy {
  const probe = result.probes.find((candidate) => candidate.atNs === spec.faultPhaseNs);
  const world = probe?.world ?? facts.world;
  const servers = new Set(facts.serverNodes);
  return {
    elapsedNs: probe?.atNs ?? result.timeNs,
    nics: world.nics.map((nic) => ({ ...nic })),
    disks: world.disks.filter((disk) => servers.has(disk.node)).map((disk) => ({ node: disk.node, busyNs: disk.stats.busyNs })),
    threads: probe === undefined ? facts.threads : probe.threads.filter((thread) => thread.side === "server").map(({ side: _side, ...thread }) => thread),
  };
}

function unavailabilitySummary(history: History, clientWindows: Record<string, number>): UnavailabilitySummary {
  const sendWindows = findUnavailabilityWindows(history).filter((window) => window.op === "send");
  const writes = measureWriteUnavailability(history, producerDownWindows(history, sendWindows));
  const seconds = (ns: number): number => ns / 1e9;
  return {
    sendSeconds: seconds(writes.totalNs),
    sendRefusedSeconds: seconds(writes.refusedNs),
    worstStream: writes.worst === null ? null : { stream: writes.worst.stream, seconds: seconds(writes.worst.unavailableNs) },
    streams: writes.streams.slice(0, STREAMS_LISTED).map((stream) => ({ stream: stream.stream, seconds: seconds(stream.unavailableNs), refusedSeconds: seconds(stream.refusedNs) })),
    sendErrorSeconds: seconds(clientWindows["sendUnavailableNs"] ?? 0),
    receiveSeconds: seconds(clientWindows["receiveUnavailableNs"] ?? 0),
  };
}

/**
 * A run that did not converge (consumers still draining, a partition still
 * offline) leaves messages unseen or unapplied that may only be late: that is
 * a liveness failure. Only definite loss — a message passed over by later
 * ones — makes it a safety failure.
 */
function isOnlyUnfinished(check: CheckResult): boolean {
  if (check.check === "lost") return (check.counts["lost"] ?? 0) === 0;
  if (check.check === "lost-effects") return (check.counts["skipped"] ?? 0) === 0;
  return false;
}

/** About 100–300 buckets over the workload: 100 ms for short runs, up to minutes for a day. */
function timelineBucketNs(durationNs: number): number {
  const candidates = [100e6, 250e6, 500e6, 1e9, 5e9, 10e9, 30e9, 60e9, 300e9, 600e9, 1800e9, 3600e9];
  return candidates.find((bucket) => durationNs / bucket <= 300) ?? 3600e9;
}

function checkSummary(check: CheckResult): CheckSummary {
  const summary: CheckSummary = { check: check.check, ok: check.ok, line: formatCheckResult(check), counts: { ...check.counts } };
  const first = check.violations[0];
  if (first !== undefined) summary.first = { message: first.message, timeNs: first.timeNs, eventIndex: first.eventIndex };
  return summary;
}

function trafficSummary(world: WorldCounters): TrafficSummary {
  const byClass = new Map<string, number>();
  const sent = new Map<string, number>();
  const received = new Map<string, number>();
  const byLink = new Map<string, { from: string; to: string; bytes: number }>();
  for (const link of world.links) {
    byClass.set(link.trafficClass, (byClass.get(link.trafficClass) ?? 0) + link.bytes);
    sent.set(link.from, (sent.get(link.from) ?? 0) + link.bytes);
    received.set(link.to, (received.get(link.to) ?? 0) + link.bytes);
    const key = `${link.from}\u0000${link.to}`;
    const entry = byLink.get(key) ?? { from: link.from, to: link.to, bytes: 0 };
    entry.bytes += link.bytes;
    byLink.set(key, entry);
  }
  const nodes = world.nodeNames;
  return {
    byClass: [...byClass].map(([trafficClass, bytes]) => ({ trafficClass, bytes })).sort((a, b) => compareStrings(a.trafficClass, b.trafficClass)),
    byNode: nodes.map((node) => ({ node, sentBytes: sent.get(node) ?? 0, receivedBytes: received.get(node) ?? 0 })),
    byLink: [...byLink.values()].filter((link) => link.bytes > 0).sort((a, b) => compareStrings(a.from, b.from) || compareStrings(a.to, b.to)),
  };
}

function diskSummaries(world: WorldCounters, timeNs: number, serverNodes: readonly string[]): DiskSummary[] {
  const seconds = Math.max(1e-9, timeNs / 1e9);
  const statsOf = new Map(world.disks.map((disk) => [disk.node, disk.stats]));
  return serverNodes.map((node) => {
    const stats = statsOf.get(node);
    if (stats === undefined) throw new Error(`server node ${node} has no disk in the world's counters`);
    return { node, writtenBytes: stats.bytesWrittenToDevice, fsyncs: stats.fsyncCalls, writeBytesPerSec: stats.bytesWrittenToDevice / seconds, lostAtPowerLossBytes: stats.bytesLostAtPowerLoss };
  });
}

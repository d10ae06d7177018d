/**
 * The numbers on a tour line: the claim's own first (what ../shared/mission.md
 * says the scenario must show: C2 the user's latency, C3 the backlog and
 * its drain, C5/C6/C9 the unavailability, C13 the duplicates…), then what
 * else went wrong or stands out (a failed check, the system's own numbers,
 * writes unavailable, the peak backlog), each once.
 */
import { formatDuration } from "../report/format.js";
import type { RunSummary } from "../report/run-summary.js";
import { systemNamed } from "../systems/index.js";

/** Checks whose failure the line names, in this order. */
const FAILURE_CHECKS = ["lost", "lost-effects", "duplicated-effects", "duplicated", "reordered", "unexpected", "divergence", "dirty-read", "inconsistent-offsets", "monotonic"];

export function tourKeyNumbers(claim: string, summary: RunSummary): string {
  const parts: string[] = [];
  const add = (part: string | null): void => {
    if (part !== null && !parts.includes(part)) parts.push(part);
  };
  for (const part of claimNumbers(claim, summary)) add(part);
  add(throughput(summary));
  add(produceP99(summary));
  for (const part of failedChecks(summary)) add(part);
  for (const part of systemNamed(summary.system).keyNumbers(summary)) add(part);
  add(writesUnavailable(summary));
  add(peakBacklog(summary));
  return parts.join(", ");
}

/** The number the claim is about, when the run has it. */
function claimNumbers(claim: string, summary: RunSummary): (string | null)[] {
  switch (claim) {
    case "C2":
      return [userLatency(summary), throughput(summary)];
    case "C3":
      return [peakBacklog(summary), drainTime(summary)];
    case "C5":
    case "C6":
    case "C8":
    case "C9":
    case "A1":
      return [writesUnavailable(summary) ?? "writes never unavailable", ...failedChecks(summary)];
    case "C13":
      return [duplicates(summary), ...failedChecks(summary)];
    default:
      return [];
  }
}

function throughput(summary: RunSummary): string {
  return `${Math.round(summary.throughput.ackedPerSec)} msg/s`;
}

function produceP99(summary: RunSummary): string {
  return `produce p99 ${duration(summary.latency.produce.p99Ns)}`;
}

/** A user request's latency (its synchronous calls and its publish), when the scenario has requests. */
function userLatency(summary: RunSummary): string | null {
  const request = summary.latency.request;
  if (request === undefined || request === null) return null;
  return `user request p50 ${duration(request.p50Ns)}, p99 ${duration(request.p99Ns)}`;
}

function failedChecks(summary: RunSummary): string[] {
  const parts: string[] = [];
  for (const name of FAILURE_CHECKS) {
    const check = summary.checks.find((candidate) => candidate.check === name);
    // "lost: 593 lost, 406 unseen of 7593 acked (first at 15.100 s, event #20907)": the line without where it was first seen.
    if (check !== undefined && !check.ok) parts.push(check.line.replace(/ \(first at [^)]*\)$/, ""));
  }
  return parts;
}

/** Duplicate effects when the check ran, else duplicate deliveries; "none" when the check held. */
function duplicates(summary: RunSummary): string | null {
  for (const name of ["duplicated-effects", "duplicated"]) {
    const check = summary.checks.find((candidate) => candidate.check === name);
    if (check === undefined) continue;
    return check.ok ? `${name}: none` : check.line.replace(/ \(first at [^)]*\)$/, "");
  }
  return null;
}

function writesUnavailable(summary: RunSummary): string | null {
  const { sendSeconds, worstStream } = summary.unavailability;
  if (sendSeconds <= 0.5) return null;
  return `writes unavailable ${sendSeconds.toFixed(1)} s${worstStream === null ? "" : ` (longest on one stream ${worstStream.seconds.toFixed(1)} s)`}`;
}

function peakBacklog(summary: RunSummary): string | null {
  const backlog = Math.max(0, ...summary.timeline.backlogByGroup.flatMap((group) => group.values));
  return backlog > 0 ? `peak backlog ${backlog.toLocaleString("en-US")}` : null;
}

/** From the busiest group's peak to the first timeline bucket after it where its backlog is gone. */
function drainTime(summary: RunSummary): string | null {
  const { bucketNs, backlogByGroup } = summary.timeline;
  let best: { peak: number; peakAt: number; values: readonly number[] } | null = null;
  for (const group of backlogByGroup) {
    const peak = Math.max(0, ...group.values);
    if (peak > 0 && (best === null || peak > best.peak)) best = { peak, peakAt: group.values.indexOf(peak), values: group.values };
  }
  if (best === null) return null;
  const drainedAt = best.values.findIndex((value, k) => k > best.peakAt && value === 0);
  if (drainedAt < 0) return "backlog not drained by the end of the run";
  return `drained ${(((drainedAt - best.peakAt) * bucketNs) / 1e9).toFixed(0)} s after its peak`;
}

function duration(ns: number): string {
  return formatDuration(ns);
}

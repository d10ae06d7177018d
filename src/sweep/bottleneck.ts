/**
 * Names what limited one sweep point, from its RunSummary and its scenario, by
 * a simple heuristic whose numbers are shown with the name, so a reader can
 * judge it:
 *
 * 1. A saturated resource: the busiest NIC direction, disk or server thread
 *    (Kafka's request handler pool, its busiest processor or replica
 *    fetcher: CPU time over the workload's duration, per thread) at ≥ 80 %
 *    of its capacity over the workload's duration. The counters also include what
 *    happened after the workload (a backlog draining, replicas catching up),
 *    so a share above 100 % means the resource was still working through
 *    the workload's load after it ended. NIC: bytes sent (egress) or received
 *    (ingress, the switch port) per node / `cluster.nic`. Disk: estimated
 *    device busy time, bytes written to the device / the profile's write
 *    bandwidth plus fsyncs × the profile's fsync latency. Kafka writes to the
 *    page cache, so bytes count only once written back: a short run may show
 *    an idle disk that a long one would fill.
 * 2. "consumer capacity": a group's backlog (acknowledged, not yet applied)
 *    at the end of the workload is above 5 % of what was acknowledged and
 *    grew by over a quarter since the workload's middle: consumers fall
 *    behind (a steady backlog is just processing in progress).
 * 3. The producers carried under 90 % of the offered load (the scenario's
 *    rates over its duration; acknowledged within the duration):
 *    "unavailability" when sends were unavailable for over a tenth of the
 *    duration (faults), else "producer window" (in-flight requests, batching
 *    and latency limit what a producer can have outstanding).
 * 4. Otherwise "none (offered load carried …)", with the busiest resource.
 */
import type { RunSummary } from "../report/run-summary.js";
import type { Scenario } from "../scenario/schema.js";
import { systemNamed } from "../systems/index.js";
import { DISK_PROFILES } from "../world/disk-profile.js";

/** At or above this share of capacity a resource is called saturated. */
export const SATURATED = 0.8;
/** Below this share of the offered load the producers are called limited. */
const CARRIED_MIN = 0.9;
/** A backlog above this share of acknowledged messages, still growing, means consumers lag. */
const BACKLOG_SHARE_MIN = 0.05;
/** Growth from the workload's middle to its end that counts as "still growing" (linear growth from 0 doubles). */
const BACKLOG_GROWTH_MIN = 1.25;

export interface Utilisation {
  /** "b1 NIC egress", "b2 disk". */
  resource: string;
  /** Share of capacity used over the workload's duration; above 1 when work carried on past its end. */
  share: number;
}

/** Every NIC direction, disk and server thread with its utilisation over the workload, busiest first (ties by name). */
export function utilisations(scenario: Scenario, summary: RunSummary): Utilisation[] {
  const seconds = Math.max(1e-9, scenario.duration / 1e9);
  const nicBytes = Math.max(1, scenario.cluster.nic) * seconds;
  const found: Utilisation[] = [];
  for (const node of summary.traffic.byNode) {
    found.push({ resource: `${node.node} NIC egress`, share: node.sentBytes / nicBytes });
    found.push({ resource: `${node.node} NIC ingress`, share: node.receivedBytes / nicBytes });
  }
  const profile = DISK_PROFILES[scenario.cluster.disk];
  for (const disk of summary.disks) {
    const busySeconds = disk.writtenBytes / profile.writeBandwidthBytesPerSec + (disk.fsyncs * profile.fsyncLatencyNs) / 1e9;
    found.push({ resource: `${disk.node} disk`, share: busySeconds / seconds });
  }
  for (const thread of summary.threads ?? []) {
    found.push({ resource: `${thread.node} ${thread.thread} CPU`, share: thread.busyNs / 1e9 / (thread.count * seconds) });
  }
  return found.sort((a, b) => b.share - a.share || (a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0));
}

export function nameBottleneck(scenario: Scenario, summary: RunSummary): string {
  const busiest = utilisations(scenario, summary)[0];
  if (busiest !== undefined && busiest.share >= SATURATED) return `${busiest.resource} (${percent(busiest.share)} of capacity over the workload)`;
  const lagging = laggingGroup(scenario, summary);
  if (lagging !== undefined) return `consumer capacity (${lagging.group}: backlog ${lagging.backlog} at the end of the workload)`;
  const offered = offeredMessages(scenario);
  const carried = ackedWithinWorkload(scenario, summary);
  const workloadSeconds = scenario.duration / 1e9;
  if (offered > 0 && carried < CARRIED_MIN * offered) {
    if (summary.unavailability.sendSeconds > 0.1 * workloadSeconds) {
      return `unavailability (${summary.unavailability.sendSeconds.toFixed(1)} s with a stream unavailable for writes; carried ${percent(carried / offered)} of offered)`;
    }
    return `producer window (carried ${percent(carried / offered)} of offered)`;
  }
  return `none (offered load carried${busiest === undefined ? "" : `; busiest ${busiest.resource} ${percent(busiest.share)}`})`;
}

/** "93%", or "0.4%" for a small share, so an idle resource does not read as exactly 0. */
function percent(share: number): string {
  return share < 0.095 ? `${(share * 100).toFixed(1)}%` : `${Math.round(share * 100)}%`;
}

/** The timeline bucket in which the workload ends (the last one it covers). */
function workloadEndBucket(scenario: Scenario, summary: RunSummary): number {
  const buckets = summary.timeline.acked.length;
  return Math.max(0, Math.min(buckets - 1, Math.ceil(scenario.duration / summary.timeline.bucketNs) - 1));
}

function ackedWithinWorkload(scenario: Scenario, summary: RunSummary): number {
  const end = workloadEndBucket(scenario, summary);
  return summary.timeline.acked.slice(0, end + 1).reduce((sum, count) => sum + count, 0);
}

function laggingGroup(scenario: Scenario, summary: RunSummary): { group: string; backlog: number } | undefined {
  const end = workloadEndBucket(scenario, summary);
  const middle = Math.floor(end / 2);
  const acked = ackedWithinWorkload(scenario, summary);
  let worst: { group: string; backlog: number } | undefined;
  for (const series of summary.timeline.backlogByGroup) {
    const backlog = series.values[end] ?? 0;
    const earlier = series.values[middle] ?? 0;
    if (backlog > BACKLOG_SHARE_MIN * acked && backlog > BACKLOG_GROWTH_MIN * earlier && (worst === undefined || backlog > worst.backlog)) worst = { group: series.group, backlog };
  }
  return worst;
}

/** Messages the producers were asked to send over the workload (the rates' expected counts). */
export function offeredMessages(scenario: Scenario): number {
  const durationNs = scenario.duration;
  let total = 0;
  for (const producer of systemNamed(scenario.system).offeredLoad(scenario)) {
    const rate = producer.rate;
    let perProducer: number;
    if (rate.kind === "piecewise") {
      perProducer = 0;
      rate.steps.forEach((step, k) => {
        const endNs = Math.min(durationNs, rate.steps[k + 1]?.atNs ?? durationNs);
        if (endNs > step.atNs) perProducer += (step.perSecond * (endNs - step.atNs)) / 1e9;
      });
    } else {
      perProducer = (rate.perSecond * durationNs) / 1e9;
    }
    total += perProducer * producer.count;
  }
  return total;
}

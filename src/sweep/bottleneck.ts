/**
 * Names what limited one sweep point, from its RunSummary and its scenario, by
 * a simple heuristic whose numbers are shown with the name, so a reader can
 * judge it:
 *
 * 1. A saturated resource: the busiest NIC direction, disk or server thread
 *    (Kafka's request handler pool, its busiest processor or replica
 *    fetcher; RabbitMQ's schedulers; …) at ≥ 80 % of its capacity over the
 *    workload: its busy time from the start to the end of the workload
 *    (summary.workloadBusy, read by a probe at that instant) over the
 *    workload's duration. NIC: time the egress (or the receiving switch
 *    port) spent putting bits on the wire, not bytes queued for it; disk:
 *    the device's busy time; thread: CPU time over its count. None can
 *    exceed 100 %: work still queued when the workload ended, a backlog
 *    drained after it, is not counted.
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
  /** Share of capacity used over the workload (0 to 1). */
  share: number;
}

/** Every NIC direction, disk and server thread with its utilisation over the workload, busiest first (ties by name). */
export function utilisations(summary: RunSummary): Utilisation[] {
  const busy = summary.workloadBusy;
  const elapsedNs = Math.max(1, busy.elapsedNs);
  const found: Utilisation[] = [];
  for (const nic of busy.nics) {
    found.push({ resource: `${nic.node} NIC egress`, share: nic.egressBusyNs / elapsedNs });
    found.push({ resource: `${nic.node} NIC ingress`, share: nic.ingressBusyNs / elapsedNs });
  }
  for (const disk of busy.disks) found.push({ resource: `${disk.node} disk`, share: disk.busyNs / elapsedNs });
  for (const thread of busy.threads) found.push({ resource: `${thread.node} ${thread.thread} CPU`, share: thread.busyNs / (thread.count * elapsedNs) });
  return found.sort((a, b) => b.share - a.share || (a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0));
}

export function nameBottleneck(scenario: Scenario, summary: RunSummary): string {
  const busiest = utilisations(summary)[0];
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

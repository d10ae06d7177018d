/**
 * Fault schedules for the RabbitMQ properties: one fault at a time. Each
 * episode takes out one node (process crash, power loss or pause) or
 * imposes one partition, for a while, then undoes it (restart, resume,
 * heal) before the next episode begins. This is the failure model the safe
 * RabbitMQ configurations claim to survive: quorum queues tolerate a
 * minority down, mirrored queues the loss of any one node; two nodes down at
 * once is a different claim (a mirrored queue may then have no synchronised
 * mirror left).
 */
import fc from "fast-check";
import { partitionArbitrary } from "../src/faults/arbitrary.js";
import type { FaultSchedule, TimedFault } from "../src/faults/fault.js";
import type { PartitionSpec } from "../src/world/partition.js";

export type EpisodeKind = "crash" | "powerLoss" | "pause" | "partition";

export interface EpisodeOptions {
  /** Nodes an outage may hit. */
  nodeNames: readonly string[];
  /** Nodes a partition splits (default: nodeNames). */
  partitionNodes?: readonly string[];
  kinds: readonly EpisodeKind[];
  horizonNs: number;
  episodesMax: number;
  /** Longest outage or partition. */
  durationNsMax: number;
}

interface Episode {
  kind: EpisodeKind;
  node: string;
  gapNs: number;
  durationNs: number;
}

/** Episodes back to back (each after a gap), cut off at the horizon; shrinks toward fewer, shorter, earlier episodes. */
export function oneFaultAtATime(options: EpisodeOptions): fc.Arbitrary<FaultSchedule> {
  const episode = fc.record({
    kind: fc.constantFrom(...options.kinds),
    node: fc.constantFrom(...options.nodeNames),
    gapNs: fc.integer({ min: 0, max: Math.floor(options.horizonNs / 2) }),
    durationNs: fc.integer({ min: 1_000_000, max: options.durationNsMax }),
  });
  const partitions = fc.array(partitionArbitrary(options.partitionNodes ?? options.nodeNames), { minLength: options.episodesMax, maxLength: options.episodesMax });
  return fc.tuple(fc.array(episode, { maxLength: options.episodesMax }), partitions).map(([episodes, specs]) => toSchedule(episodes, specs, options.horizonNs));
}

function toSchedule(episodes: readonly Episode[], specs: readonly PartitionSpec[], horizonNs: number): FaultSchedule {
  const schedule: TimedFault[] = [];
  let atNs = 0;
  episodes.forEach((e, index) => {
    atNs += e.gapNs;
    if (atNs >= horizonNs) return;
    const endNs = Math.min(horizonNs - 1, atNs + e.durationNs);
    switch (e.kind) {
      case "crash":
        schedule.push({ atNs, verb: "processCrash", node: e.node }, { atNs: endNs, verb: "restart", node: e.node });
        break;
      case "powerLoss":
        schedule.push({ atNs, verb: "powerLoss", node: e.node }, { atNs: endNs, verb: "restart", node: e.node });
        break;
      case "pause":
        schedule.push({ atNs, verb: "pause", node: e.node }, { atNs: endNs, verb: "resume", node: e.node });
        break;
      case "partition":
        schedule.push({ atNs, verb: "partition", spec: specs[index]! }, { atNs: endNs, verb: "heal" });
        break;
    }
    atNs = endNs + 1;
  });
  return schedule;
}

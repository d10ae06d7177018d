/**
 * The report's prose sections: the designs with their expectations and
 * settings, the methodology (every number from the options that ran), and
 * what the model leaves out.
 */
import { SATURATED } from "../../src/sweep/bottleneck.js";
import type { Block } from "../../src/report/report-blocks.js";
import { percent } from "./bottleneck.js";
import type { DesignResult, PlannedDesign, PointOptions } from "./design.js";
import { fmtBytesPerSec, fmtSeconds, formatCount } from "./format.js";
import { NIC } from "./kafka-setup.js";

export function designBlocks(designs: readonly DesignResult[], planned: readonly PlannedDesign[]): Block[] {
  const blocks: Block[] = [];
  for (const design of designs) {
    blocks.push({ kind: "paragraph", text: `${design.label} (${design.system}, id ${design.id}). Expectation: ${design.expectation}` });
    const counted = [...new Set(design.points.map((point) => point.replication.counted))];
    blocks.push({ kind: "list", items: [...design.settings, ...counted.map((text) => `(a) counts ${text}`)] });
  }
  if (planned.length > 0) {
    blocks.push({
      kind: "paragraph",
      text: "Planned lines, not measured yet (their models are not built; bench/scaling/designs.ts is where they plug in, under the same workloads):",
    });
    blocks.push({ kind: "list", items: planned.map((p) => `${p.label} (${p.system}, id ${p.id}). Expectation: ${p.expectation}`) });
  }
  return blocks;
}

export function methodBlocks(options: PointOptions, brokerCounts: readonly number[]): Block[] {
  const fixed = options.fixedLoad;
  const sat = options.saturation;
  const kib = options.messageBytes;
  const perSendBytes = fixed.messagesPerSend * kib;
  const satPerSend = sat.messagesPerSend * kib;
  return [
    {
      kind: "list",
      items: [
        `Cluster sizes N = ${brokerCounts.join(", ")}; every run has kernel seed ${options.seed}; each point is two runs, one per workload, one after another on one core. ` +
          "Everything is measured from the runs: the world's byte counters per link and traffic class, each disk's busy time, and the acknowledgements in the history.",
        `Messages: ${formatCount(kib)} bytes of payload each. "Acknowledged payload" is the number of messages whose send-result was ok times ${formatCount(kib)} bytes.`,
        `(a) Replication cost: ${fmtBytesPerSec(fixed.bytesPerSec)} of payload offered (${formatCount(fixed.bytesPerSec / kib)} msg/s), the same for every N, by ${fixed.producers} producer client nodes ` +
          `(the same for every N), each handing ${fixed.messagesPerSend} messages (${formatCount(perSendBytes)} bytes) at a time to the next partition in turn, evenly spaced. ` +
          `Producers send for ${fmtSeconds(fixed.sendPhaseNs)}; then the run continues until the cluster has settled (every replica's log equals its leader's, every batch has its answer; at most ${fmtSeconds(fixed.convergeNsMax)}) ` +
          "and the lost check confirms the final read holds every acknowledged message. The ratio is over the whole run: every byte the followers fetched, including start-up and the idle fetches at the end, over every acknowledged payload byte.",
        "(a) What is counted: the numerator is every byte the network put on broker↔broker links, both directions, as wire bytes (Kafka request and record-batch headers, and Ethernet/IP/TCP framing of 90 bytes per 1448-byte frame, included); " +
          "the denominator is payload only. The record-byte table divides only the record batches the followers appended (payload plus 61 bytes per batch) by the same payload, to separate replication itself from protocol overhead. " +
          `For the Kafka lines a batch holds one ${fixed.messagesPerSend}-message hand-off (see "mean batch" under Every point), so records add 61 bytes per ${formatCount(perSendBytes)} ` +
          `(2 × ${((perSendBytes + 61) / perSendBytes).toFixed(4)} = ${((2 * (perSendBytes + 61)) / perSendBytes).toFixed(3)}); on the wire, framing adds about 6% (90 bytes per 1448-byte frame) ` +
          "and the 64-byte headers of the fetch responses and of the followers' fetch requests the rest.",
        `(b) Maximum throughput: ${sat.producersPerBroker === 1 ? "N" : `${sat.producersPerBroker} × N`} producer client nodes, each offering ${fmtBytesPerSec(sat.bytesPerSecPerProducer)} of payload ` +
          `(${formatCount(sat.bytesPerSecPerProducer / kib)} msg/s) in hand-offs of ${formatCount(sat.messagesPerSend)} messages (${formatCount(satPerSend)} bytes; with the 61-byte header exactly one full 1 MiB batch) to the partitions in turn. ` +
          `Together they offer more than the N brokers' NICs could receive at all (${fmtBytesPerSec(NIC.egressBytesPerSec)} each), so the cluster, not the offer, sets the rate; the producers keep a growing backlog. ` +
          `The run lasts ${fmtSeconds(sat.runNs)} of virtual time; throughput and utilisation are measured over the window [${fmtSeconds(sat.windowFromNs)}, ${fmtSeconds(sat.windowToNs)}) ` +
          `(start-up — registration, elections, metadata, filling the pipelines — is over before it: "at 90% by" under Every point is the end of the first ${fmtSeconds(sat.bucketNs)} bucket from time 0 whose acknowledged rate reached 90% of the window's); ` +
          `acknowledgements are also counted per ${fmtSeconds(sat.bucketNs)} bucket of the window, and "steadiness" is the largest deviation of a bucket from the window's mean.`,
        `(b) Utilisation per resource over the window: NIC egress = bytes the node sent ÷ (its bandwidth × window); NIC ingress = bytes sent to it ÷ (its receiving port's bandwidth × window); disk = device busy time ÷ window. ` +
          `The producers' in-flight produce requests are sampled every ${fmtSeconds(sat.sampleEveryNs)} as a share of what max.in.flight.requests.per.connection allows over all their broker connections.`,
        `(b) Bottleneck: the busiest resource if it is at ≥ ${percent(SATURATED)} of capacity (src/sweep/bottleneck.ts's threshold), with how many machines of that kind share that state; ` +
          "a producer-side resource is named as such. Otherwise, if the producers carried under 90% of their offer with their in-flight windows ≥ 90% full, the producer window; otherwise no resource is named and the busiest is given.",
        "Runtime: the whole report (3 Kafka lines × 4 sizes × 2 runs) takes about 20 s of wall time, one run after another on one core of the 2-core CI machine; the script prints the time per point and in total.",
      ],
    },
  ];
}

export function modelNotesBlocks(): Block[] {
  return [
    {
      kind: "list",
      items: [
        "Kafka's threads spend CPU per request, batch, record and byte as calibrated against Kreps 2014 (src/systems/kafka/cpu-costs.ts, reports/calibration.md), but the bottleneck naming does not yet count the brokers' threads as resources, and threads never compete for cores.",
        "Requests are Kafka's: the producer packs the batches of several partitions into one request per broker (up to max.request.size, 1 MiB by default, " +
          "so with the 1 MiB batches of (b) a request holds one batch), and each follower broker runs one fetcher per leader broker (num.replica.fetchers=1) with one multi-partition fetch in flight, " +
          "so the replication pipeline's concurrency does not grow with P. Consumers fetch as the Java client does: one request in flight per broker for every partition read there.",
        "The Kafka lines saturate the same resource to different degrees (see the bottleneck table): how much the brokers' receiving ports idle depends on how many produce requests and follower fetches are in flight at once, " +
          "both queued at the same ports (with acks=all every produce request waits for the followers' next fetches).",
        "The producer's accumulator seals a batch when linger.ms runs out even while the sender cannot send it; Kafka keeps appending to the last batch until it is drained or full. " +
          "Under overload with many partitions mqsim would send smaller batches than Kafka does; the saturation workload sidesteps this by handing over one full batch at a time.",
        "Records have no per-record overhead (Kafka's v2 records add a few varint bytes each: length, attributes, timestamp and offset deltas, key and value lengths, header count): a batch is its 61-byte header plus the payload.",
        "Replication shares the data-plane traffic class (kafka-data) with the clients; it is told apart by its links (broker to broker), not by its class.",
        "The network counts a packet's bytes when the sender queues it on its NIC, not when it arrives, so a saturated receiving port can read slightly over 100% over a window.",
        "Brokers write to the page cache (no fsync, Kafka's default); the disk's busy time is the background writeback of dirty pages to the device.",
      ],
    },
  ];
}

/** The report's setup, its numbered sections and its limits, in that order. */
import type { Acks } from "../../src/systems/kafka/config.js";
import { DEFAULT_NETWORK_OPTIONS } from "../../src/world/network-options.js";
import { acksName, describeFaults, fmtInt, fmtMs, fmtSec, lostOf, offsetRanges } from "./format.js";
import type { RunReport } from "./measure.js";
import { byAcks, type ReportContext, type SweepTotals } from "./report-context.js";
import { ACKS, BROKERS, DISK, fastRestart, kill9, laggingFollowers, MESSAGE_BYTES, PARTITIONS, powerLoss, REPLICATION_FACTOR, runSpec, SATURATED_RATE, saturated, SCAN_COUNT, SCAN_FIRST_OFFSET_NS, SCAN_SEALS_NS, SCAN_STEP_NS, SECOND, SEED, STEADY_PER_SEND, STEADY_RATE, SWEEP_COUNT, SWEEP_FIRST_NS, SWEEP_STEP_NS, TOPIC, US, WARMUP_NS } from "./scenarios.js";

export type Push = (...text: string[]) => void;

/** Setup: cluster, broker settings, machines, producer, workload and what is measured. */
export function pushSetup(push: Push, context: ReportContext): void {
  const { producer, p0, broker, totalUnseen } = context;
  push("## Setup (the same in every run)");
  push("");
  push(
    `- **Cluster**: ${BROKERS} brokers (b1, b2, b3) and a controller node; topic \`${TOPIC}\` with ${PARTITIONS} partitions, replication factor ${REPLICATION_FACTOR}. ` +
      "Preferred leaders rotate, so b1 leads partitions 0 and 3 and follows the other four.",
  );
  push(
    `- **Broker settings**: min.insync.replicas=${broker["min.insync.replicas"]}, unclean.leader.election.enable=${broker["unclean.leader.election.enable"]}, ` +
      `replica.lag.time.max.ms=${broker["replica.lag.time.max.ms"]}, replica.fetch.wait.max.ms=${broker["replica.fetch.wait.max.ms"]}, ` +
      `broker.session.timeout.ms=${broker["broker.session.timeout.ms"]}, broker.heartbeat.interval.ms=${broker["broker.heartbeat.interval.ms"]}; ` +
      "no fsync (log.flush.* unset, Kafka's default); truncation by leader epoch (KIP-101/279); a restarted broker is fenced when it re-registers (KIP-841).",
  );
  push(
    `- **Machines**: ${DISK} disks; 10 GbE NICs (${fmtInt(DEFAULT_NETWORK_OPTIONS.nic.egressBytesPerSec / 1e6)} MB/s each way); one-way latency lognormal with a median of 150 µs (σ 0.2); ` +
      "Ethernet framing. TCP connections survive a silent peer: each side notices through its own timers (request.timeout.ms, replica.socket.timeout.ms, the heartbeat timeout). " +
      "Threads spend CPU per request, batch, record and byte as calibrated against Kreps 2014 (src/systems/kafka/cpu-costs.ts, reports/calibration.md).",
  );
  push(
    `- **Producer**: one client with Kafka's default settings except acks: linger.ms=${p0["linger.ms"]}, batch.size=${p0["batch.size"]}, ` +
      `max.in.flight.requests.per.connection=${p0["max.in.flight.requests.per.connection"]}, retries=${p0.retries}, retry.backoff.ms=${p0["retry.backoff.ms"]}, ` +
      `request.timeout.ms=${p0["request.timeout.ms"]}, delivery.timeout.ms=${p0["delivery.timeout.ms"]}. enable.idempotence is left at its default, which resolves to ` +
      `${ACKS.map((acks, i) => `${producer[i]!.idempotent} for acks=${acks}`).join(", ")}. Since Kafka 3.2, an acks setting that conflicts with idempotence turns the default off silently.`,
  );
  push(
    `- **Workload**: ${MESSAGE_BYTES}-byte messages, as in Kreps' 2014 benchmark. *Steady*: ${fmtInt(STEADY_RATE)} msg/s (${((STEADY_RATE * MESSAGE_BYTES) / 1e6).toFixed(1)} MB/s), ` +
      `handed to the producer ${STEADY_PER_SEND} at a time every ${(STEADY_PER_SEND / STEADY_RATE) * 1000} ms, to each partition in turn. Each partition gets ${STEADY_PER_SEND} messages every ` +
      `${((STEADY_PER_SEND / STEADY_RATE) * 1000 * PARTITIONS).toFixed(0)} ms, so every batch is one hand-off of ${STEADY_PER_SEND} messages that waited out linger.ms, and b1 gets a batch every 3 ms. ` +
      `*Saturated*: ${fmtInt(SATURATED_RATE)} msg/s offered (more than acks=1 or acks=all can carry), so batches fill to batch.size.`,
  );
  push(
    `- **Latency** is measured per batch, from its \`send\` event to its \`send-result\` event in the History, over acknowledged batches sealed after the first ${WARMUP_NS / SECOND} s ` +
      "(the metadata fetch and the first leader elections happen before that). The producer records `send` when a batch is *sealed*: when it is full, or linger.ms after its first message. " +
      `Time spent lingering (here exactly linger.ms = ${p0["linger.ms"]} ms for every message) is therefore not included; add it to all three columns to get what the application sees. ` +
      "For acks=0, producer.ts records the result `ok`, with offset -1, the moment the batch is written to the socket, as Kafka's acks=0 callback fires once the request is sent. " +
      "The simulated socket accepts the write at once, so acks=0 latency is 0 whenever a connection is open. " +
      "Percentiles come from an HDR histogram (hdr-histogram-js, 3 significant digits).",
  );
  push(
    "- **Throughput** is acknowledged messages (send-result `ok`) per second of virtual time, over a window after the warm-up; MB/s counts message payload in units of 10^6 bytes. " +
      "The steady workload is open-loop, so any setting that keeps up shows exactly the offered rate.",
  );
  push(
    "- **Loss** is the `lost` check in runKafka's result. After the fault phase everything heals and the cluster converges; then every partition's committed log is read in full. " +
      "An acknowledged message missing from that read is lost. " +
      (totalUnseen === 0
        ? "The tables add the check's `unseen` count (missing, with nothing after it read either), which was 0 in every run. "
        : `The tables add the check's \`unseen\` count (missing, with nothing after it read either): ${fmtInt(totalUnseen)} over all runs. `) +
      "acks=0 messages have no offset, so a missing one counts as lost outright.",
  );
  push("");
}

/** Section 1: latency and throughput without faults. */
export function pushNoFaults(push: Push, context: ReportContext): void {
  const { steadyRuns, saturatedRuns, steady0 } = context;
  push("## 1. No faults: latency and throughput (C9)");
  push("");
  push("| acks | batches measured | p50 ms | p99 ms | p99.9 ms | max ms | acknowledged msg/s | MB/s | saturated: msg/s | saturated: MB/s |");
  push("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  steadyRuns.forEach((r, i) => {
    const s = saturatedRuns[i]!;
    push(
      `| ${acksName(r.acks)} | ${fmtInt(r.latency.batches)} | ${fmtMs(r.latency.p50Ns)} | ${fmtMs(r.latency.p99Ns)} | ${fmtMs(r.latency.p999Ns)} | ${fmtMs(r.latency.maxNs)} | ` +
        `${fmtInt(r.throughputMessagesPerSec)} | ${r.throughputMBPerSec.toFixed(2)} | ${i === 0 ? "≥ " : ""}${fmtInt(s.throughputMessagesPerSec)} | ${s.throughputMBPerSec.toFixed(1)} |`,
    );
  });
  push("");
  push(
    `Steady runs: ${steady0.faultPhaseNs / SECOND} s of virtual time; throughput over [${WARMUP_NS / SECOND} s, ${steady0.faultPhaseNs / SECOND} s). ` +
      `Saturated runs: ${saturatedRuns[0]!.faultPhaseNs / SECOND} s; throughput over [${saturated().throughputFromNs / SECOND} s, ${saturated().throughputToNs / SECOND} s), while the producer's backlog grows. ` +
      "Their latencies measure that backlog rather than the cluster, so they are left out. " +
      `The producer is offered ${fmtInt((SATURATED_RATE * MESSAGE_BYTES) / 1e6)} MB/s. Its application thread spends CPU per record in send() (src/systems/kafka/cpu-costs.ts), which caps what acks=0 and acks=1 get through; ` +
      "acks=all is limited further by the broker handling one request per connection at a time, as Kafka does (the producer's 5 in-flight requests pipeline only the wire): " +
      "each request waits for the followers' fetch and append before the connection's next is read, and buffer.memory then blocks send(). " +
      "acks=0's figure is marked ≥ because the model's socket takes writes without a send-buffer bound outside loss recovery.",
  );
  push("");
}

/** Section 2: what each setting loses when a leader dies. */
export function pushLeaderDies(push: Push, context: ReportContext): void {
  pushLeaderDiesTable(push, context);
  pushLeaderDiesSchedules(push, context);
  pushLeaderDiesNotes(push, context);
}

/** The table of what each failure lost, per setting. */
function pushLeaderDiesTable(push: Push, context: ReportContext): void {
  const { runs, sweep, scan, powerRuns, lagRuns } = context;
  push("## 2. A leader dies: what each setting loses (C10)");
  push("");
  push(
    "| failure | acks | acknowledged | lost acknowledged | runs that lost any | partitions stalled > 1 s | longest partition gap without an ack, s | worst produce latency, s | failed attempts | send-results error / unknown |",
  );
  push("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
  const totalsRow = (label: string, totals: readonly SweepTotals[]): void => {
    ACKS.forEach((acks, i) => {
      const t = totals[i]!;
      push(
        `| ${label} | ${acksName(acks)} | ${fmtInt(t.acked)} | ${fmtInt(t.lost + t.unseen)} | ${t.runsWithLoss} of ${t.runs} | ${t.partitionsStalledMax} | ${fmtSec(t.longestAckGapNs)} | ` +
          `${fmtSec(t.maxLatencyNs)} | ${fmtInt(t.failedAttempts)} | ${fmtInt(t.errorMessages)} / ${fmtInt(t.unknownMessages)} |`,
      );
    });
  };
  const singleRows = (label: string, rows: readonly RunReport[]): void => {
    for (const r of rows) {
      push(
        `| ${label} | ${acksName(r.acks)} | ${fmtInt(r.acked)} | ${lostOf(r)} | ${r.lost + r.unseen > 0 ? 1 : 0} of 1 | ${r.partitionsStalled} | ${fmtSec(r.longestAckGapNs)} | ` +
          `${fmtSec(r.latency.maxNs)} | ${fmtInt(r.failedAttempts)} | ${fmtInt(r.errorMessages)} / ${fmtInt(r.unknownMessages)} |`,
      );
    }
  };
  singleRows("b1's followers 2 s behind, then kill -9 of b1", lagRuns);
  totalsRow(`kill -9 of b1 at ${SWEEP_COUNT} instants (sums)`, sweep);
  totalsRow(`kill -9 of b1, ${SCAN_SEALS_NS.length * SCAN_COUNT}-instant scan (sums)`, scan);
  singleRows("power loss of b1", powerRuns);
  push("");
  push(
    "Columns: *acknowledged* messages had send-result `ok`. *Partitions stalled* and *longest gap* measure, for each partition, the longest time between two acknowledgements " +
      "while messages were being offered (≈ 6 ms in normal running); for sums it is the maximum over the runs. *Failed attempts* are the producer's `op-failed` events: requests lost with a " +
      "connection and failed connection attempts while batches waited. *error / unknown* count messages in batches that ended without an acknowledgement" +
      (runs.every((r) => r.errorMessages + r.unknownMessages === 0) ? ": there were none, every failed attempt was retried until it succeeded." : "."),
  );
  push("");
}

/** The fault schedules, and which kill instants lost what. */
function pushLeaderDiesSchedules(push: Push, context: ReportContext): void {
  const { runs, power1, powerAll, scanLossOffsets, scanLast } = context;
  push(`Fault schedules (seed ${SEED} throughout; after the fault phase every fault is healed and b1 is up):`);
  push("");
  push(
    `- followers behind: \`${describeFaults(laggingFollowers().faults)}\`, fault phase ${laggingFollowers().faultPhaseNs / SECOND} s. ` +
      "The one-way cut drops b1's fetch responses to its followers, standing in for a stalled replication link or a slow follower. The producer's traffic to b1 is not cut.",
  );
  push(
    `- kill -9: \`${describeFaults(kill9(0).faults)}\`, fault phase ${kill9(0).faultPhaseNs / SECOND} s. In the ${SWEEP_COUNT}-instant runs the crash moves on by ${SWEEP_STEP_NS / US} µs each time, ` +
      `covering the 3 ms in which b1 receives one batch. In the scan it falls ${SCAN_FIRST_OFFSET_NS / US}, ${(SCAN_FIRST_OFFSET_NS + SCAN_STEP_NS) / US}, …, ${scanLast / US} µs after the producer sealed ` +
      `b1's batch at ${SCAN_SEALS_NS.map((ns) => `${(ns / SECOND).toFixed(3)} s`).join(" and at ")}. b1 restarts after the controller has moved its leaderships.`,
  );
  push(`- power loss: \`${describeFaults(powerLoss().faults)}\`, fault phase ${powerLoss().faultPhaseNs / SECOND} s.`);
  push("");
  push(
    "**Why kill -9 (`processCrash`) is the failure that makes the C10 point.** A killed process keeps the machine's page cache, so b1's own log still holds every batch it " +
      "acknowledged. Whatever is lost is lost through replication alone: the new leader never had those batches, and b1 deletes them itself when it rejoins as a follower and " +
      "truncates to the new leader's log. A power loss also wipes b1's unflushed page cache, but b1 is truncated anyway, so acks=1 and acks=all lose the same as under kill -9 " +
      `(power loss here: acks=1 ${lostOf(power1)}, acks=all ${lostOf(powerAll)}). It would matter if the surviving replicas lost power too. That is KIP-966's case, in run.test.ts.`,
  );
  push("");
  push(`Kill -9 at ${SWEEP_COUNT} evenly spread instants, acknowledged messages lost:`);
  push("");
  push(`| kill -9 at | ${ACKS.map(acksName).join(" | ")} |`);
  push(`|---|${ACKS.map(() => "---:").join("|")}|`);
  for (let v = 0; v < SWEEP_COUNT; v++) {
    const cells = ACKS.map((acks) => lostOf(byAcks(runs, "kill9", acks).find((r) => r.variant === v)!));
    push(`| ${((SWEEP_FIRST_NS + v * SWEEP_STEP_NS) / SECOND).toFixed(6)} s | ${cells.join(" | ")} |`);
  }
  push("");
  push(`Kill -9 scan: crash instants, counted from the batch's seal, at which that batch was lost (${SCAN_FIRST_OFFSET_NS / US}–${scanLast / US} µs scanned, every ${SCAN_STEP_NS / US} µs):`);
  push("");
  push(`| b1's batch sealed at | ${ACKS.map(acksName).join(" | ")} |`);
  push(`|---|${ACKS.map(() => "---").join("|")}|`);
  SCAN_SEALS_NS.forEach((sealNs, s) => {
    push(`| ${(sealNs / SECOND).toFixed(3)} s | ${ACKS.map((acks) => offsetRanges(scanLossOffsets(acks, s))).join(" | ")} |`);
  });
  push("");
}

/** Notes on mechanisms the numbers rest on, and where the model overstates. */
function pushLeaderDiesNotes(push: Push, context: ReportContext): void {
  const { runs, power0, longestGap } = context;
  push("Notes on these runs:");
  push("");
  push(
    "- **acks=1 under a plain kill -9.** The leader answers an acks=1 produce the moment it appends, and in the same moment it answers the followers' waiting fetches " +
      "(partition-replica.ts, `onProduce`). The acknowledgement to the producer and the copy to the followers then cross different links, about 150 µs each. " +
      "A kill -9 drops everything still on the wire from the crashed broker. acks=1 therefore loses a batch only in the gap between the two arrivals, when the acknowledgement is first. " +
      "That gap is at most a few tens of microseconds in every 3 ms at this load. Real followers fall further behind than this model's (fetch processing, disk, GC pauses, load), which widens the window. " +
      "The followers-behind row is that general case.",
  );
  push(
    `- **acks=0 under power loss** lost ${lostOf(power0)} messages. Nothing tells an acks=0 producer that b1 is gone: its connection stays open (TCP retransmits into the void), ` +
      "and it writes until send.buffer.bytes (128 KiB) of unacknowledged data fill the socket; those are lost. The batches behind them wait in the accumulator while the controller " +
      "moves b1's leaderships; the producer, which learns of leader changes only from errors, still names b1 when b1 restarts, and writes the whole backlog to it in one burst: " +
      "b1 answers the first acks=0 request for a partition it no longer leads by closing the connection (as KafkaApis does), and everything behind it is lost too. " +
      "**This overstates Kafka's loss:** mqsim bounds a socket's send buffer only while the peer does not acknowledge, so the burst is the whole backlog, where a real producer " +
      "writes one request at a time into its 128 KiB buffer and would lose little more than that.",
  );
  const checkLongest = (acks: Acks): number =>
    Math.max(0, ...runs.filter((r) => r.acks === acks && ["kill9", "kill9-scan", "power-loss", "lagging-followers"].includes(r.scenario)).map((r) => r.unavailabilityCheck["sendLongestNs"] ?? 0));
  push(
    "- **Unavailability.** runKafka's `unavailability` check works per client: a window opens at a failed attempt and closes at the next success on *any* partition. " +
      "This producer keeps succeeding on the partitions b1 did not lead, so for these failures the check's longest window is " +
      `${fmtMs(checkLongest(0))} ms with acks=0 and ${fmtMs(checkLongest(1))} ms with acks=1, while b1's partitions went ${fmtSec(longestGap(1))} s without an acknowledgement. ` +
      `With acks=all every partition stalls, and its longest window is ${fmtSec(checkLongest("all"))} s. ` +
      "The per-partition gap, measured from the History, is the number to use.",
  );
  push("");
}

/** Section 3: acks=0 after a fast restart, with a reproducing spec. */
export function pushFastRestart(push: Push, context: ReportContext): void {
  const { fastRuns, fast0, sessionSec } = context;
  push("## 3. acks=0 after a fast restart");
  push("");
  push(
    `Kill b1, then restart it 5 s later, before its ${sessionSec} s session has expired (\`${describeFaults(fastRestart().faults)}\`, fault phase ${fastRestart().faultPhaseNs / SECOND} s, seed ${SEED}):`,
  );
  push("");
  push("| acks | acknowledged | lost acknowledged | the lost ones were acknowledged between, s | longest partition gap without an ack, s |");
  push("|---|---:|---:|---|---:|");
  for (const r of fastRuns) {
    const between = r.lostAckedBetweenNs === null ? "—" : `${fmtSec(r.lostAckedBetweenNs[0])} and ${fmtSec(r.lostAckedBetweenNs[1])}`;
    push(`| ${acksName(r.acks)} | ${fmtInt(r.acked)} | ${lostOf(r)} | ${between} | ${fmtSec(r.longestAckGapNs)} |`);
  }
  push("");
  push(
    `acks=0 loses ${lostOf(fast0)} messages, everything it had queued for b1's partitions while b1 was down. The producer's metadata still names b1 as leader ` +
      "(the controller has not yet fenced it), so batches wait in the accumulator. When b1 restarts the connection opens, and the whole backlog is written at once and counted as sent. " +
      "b1, just restarted, leads nothing (the controller fences its old incarnation when it re-registers) and refuses each request with NOT_LEADER_OR_FOLLOWER. " +
      "An acks=0 producer reads no answers, so the broker closes the connection instead, as Kafka's KafkaApis.handleProduceRequest does " +
      "(\"the server will close socket server so that the producer client will know that some error has happened and will refresh its metadata\"); " +
      "the producer then refreshes its metadata and moves to the new leader. " +
      (fast0.lostAckedBetweenNs === null ? "" : `The last lost batch was counted as sent at ${fmtSec(fast0.lostAckedBetweenNs[1])} s. `) +
      "The close comes one round trip too late for the backlog: the model's socket has no send buffer, so the whole backlog is written, and counted as sent, at once. " +
      "A real producer would block once send.buffer.bytes filled and lose less; acks=0 loses whatever was written before the close either way. " +
      "acks=1 and acks=all are unaffected: they read the error, refresh metadata and retry. " +
      "A plain restart after the session timeout, as in section 2, does not trigger it, because by then the producer's metadata names the new leader.",
  );
  push("");
  push("Reproducing spec (save as repro.ts in the repository root and run `npx tsx repro.ts`; it prints the lost check's counts):");
  push("");
  push("```ts");
  push('import { runKafka } from "./src/systems/kafka/run.js";');
  push(`const result = runKafka(${JSON.stringify(runSpec(fastRestart(), 0))});`);
  push('console.log(result.checks.find((check) => check.check === "lost")!.counts);');
  push("```");
  push("");
}

/** What these numbers cannot tell. */
export function pushLimits(push: Push): void {
  push("## Limits of these numbers");
  push("");
  push(
    "- The model has no broker or client CPU, so latencies are network round trips, and the saturated throughputs are far above what 2014's 1 GbE, 6-disk machines gave. " +
      "Compare the settings with each other, not with a real cluster.",
  );
  push(
    "- On a kill -9 the model drops packets already on the wire from the crashed process. A real kernel would still deliver segments it had already transmitted. " +
      "The model treats the acknowledgement and the follower's copy the same way, so the window's existence holds. Its exact width in microseconds is the model's.",
  );
  push("- One producer, one topic, one seed. Whether a kill -9 catches a batch depends on where it falls in the producer's cycle, hence the sweep and the scan.");
  push("- Raw numbers for every run (digest, event count, per-partition gaps, the unavailability check's counts, marks such as kafka.truncate and kafka.leader.failover): reports/kafka-acks.json.");
  push("");
}

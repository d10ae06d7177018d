/**
 * The Kafka model against Kreps 2014 (`npm run bench:calibration`): the
 * published benchmark's tests 1–4 and its end-to-end latency, run on the
 * model with that setup (3 brokers, 1 GbE everywhere, six 7200 rpm disks per
 * broker as JBOD, 100-byte records, 6 partitions, the gist's producer
 * settings), side by side with the published figures. The CPU costs of
 * src/systems/kafka/cpu-costs.ts were fitted once to this comparison; the
 * tolerance is ±20% on the ratios to test 1 and ±35% on absolute records/s.
 *
 * Then the RabbitMQ model beside Confluent's 2020 runs (calibration-rabbitmq.ts).
 *
 * Writes calibration.md and calibration.json into the output folder
 * (bench-output.ts: --out <dir> or MQSIM_REPORTS_DIR, by default reports/).
 */
import { deliveryLatenciesNs } from "../src/clients/delivery-latency.js";
import { formatCount } from "../src/report/format.js";
import { runKafka, systemNamed, type KafkaRunSpec } from "../src/systems/index.js";
import type { KafkaProducerConfig } from "../src/systems/kafka/config.js";
import { DEFAULT_CPU_COSTS } from "../src/systems/kafka/cpu-costs.js";
import type { LinkTraffic } from "../src/world/traffic-counters.js";
import { DISK_PROFILES, type DiskProfile } from "../src/world/disk-profile.js";
import { sourceVersion } from "./kafka-acks/source-version.js";
import { BenchOutput, benchProgress } from "./bench-output.js";
import { measureRabbitCalibration, rabbitCalibrationLines, type RabbitCalibrationRow } from "./calibration-rabbitmq.js";

const SEED = 2014;
const RECORD_BYTES = 100;
/** 1 Gb Ethernet: 125 MB/s each way. */
const NIC = { egressBytesPerSec: 125_000_000 };
/**
 * Six 7200 rpm drives per broker, one log directory each (JBOD): with 6
 * partitions (RF 1: 2 per broker; RF 3: 6 per broker) each log has a drive to
 * itself, so the six behave as one device of six times the bandwidth that
 * never seeks between files.
 */
const JBOD6: DiskProfile = { ...DISK_PROFILES.hdd, name: "6x hdd (JBOD)", writeBandwidthBytesPerSec: 6 * DISK_PROFILES.hdd.writeBandwidthBytesPerSec, readBandwidthBytesPerSec: 6 * DISK_PROFILES.hdd.readBandwidthBytesPerSec, switchCostNs: 0 };
const RUN_NS = 3e9;
const WINDOW_FROM_NS = 1e9;
/** Offered far above what one producer thread can call send() for: the producer's CPU and the cluster decide. */
const OFFERED_PER_PRODUCER = 5_000_000;
/** Records per call of the driver; the perf tool calls send() per record, round robin over partitions. */
const RECORDS_PER_SEND = 10;

interface Published {
  id: string;
  title: string;
  replicationFactor: number;
  producers: number;
  config: Partial<KafkaProducerConfig>;
  publishedRecordsPerSec: number;
}

/** Kreps 2014, tests 1–4 (records/s as published; the gist's producer arguments). */
const TESTS: Published[] = [
  { id: "1", title: "1 producer thread, no replication", replicationFactor: 1, producers: 1, config: { acks: 1, "batch.size": 8196 }, publishedRecordsPerSec: 821_557 },
  { id: "2", title: "1 producer thread, 3× asynchronous replication (acks=1)", replicationFactor: 3, producers: 1, config: { acks: 1, "batch.size": 8196 }, publishedRecordsPerSec: 786_980 },
  { id: "3", title: "1 producer thread, 3× synchronous replication (acks=all)", replicationFactor: 3, producers: 1, config: { acks: "all", "batch.size": 64_000 }, publishedRecordsPerSec: 421_823 },
  { id: "4", title: "3 producers on 3 machines, 3× asynchronous replication", replicationFactor: 3, producers: 3, config: { acks: 1, "batch.size": 8196 }, publishedRecordsPerSec: 2_024_032 },
];

interface Measured extends Published {
  modelRecordsPerSec: number;
  /** Busiest broker NIC ingress over the window, as a share of 125 MB/s. */
  brokerIngressShareMax: number;
  digest: string;
}

function measure(test: Published): Measured {
  const names = Array.from({ length: test.producers }, (_, k) => `p${k + 1}`);
  const kafka = systemNamed("kafka");
  const spec: KafkaRunSpec = {
    seed: SEED,
    cluster: { brokers: 3, topics: [{ name: "t", partitions: 6, replicationFactor: test.replicationFactor }], config: {}, disk: JBOD6, network: { nic: NIC } },
    producers: names.map((name) => ({ name, topic: "t", partitions: 6, messagesPerSecond: OFFERED_PER_PRODUCER, messagesPerSend: RECORDS_PER_SEND, bytesPerMessage: RECORD_BYTES, config: test.config })),
    faults: [],
    // Producers offer load for the whole run; nothing waits for the backlog to drain and nothing is checked (throughput only).
    faultPhaseNs: RUN_NS,
    convergeNsMax: 0,
    eventsMax: 200_000_000,
    checks: { checks: [] },
    probesAtNs: [WINDOW_FROM_NS, RUN_NS],
  };
  const result = kafka.run(spec);
  const [from, to] = result.probes;
  if (from === undefined || to === undefined) throw new Error(`test ${test.id}: the run stopped early (${result.stopReason})`);
  const brokers = kafka.facts(spec, result).serverNodes;
  let acked = 0;
  for (const event of result.history.events) if (event.type === "send-result" && event.outcome === "ok" && event.timeNs >= WINDOW_FROM_NS && event.timeNs <= RUN_NS) acked += event.count;
  const seconds = (RUN_NS - WINDOW_FROM_NS) / 1e9;
  const ingressBefore = ingress(from.world.links, brokers);
  const ingressAfter = ingress(to.world.links, brokers);
  const shares = brokers.map((name) => (ingressAfter.get(name)! - ingressBefore.get(name)!) / seconds / NIC.egressBytesPerSec);
  return { ...test, modelRecordsPerSec: acked / seconds, brokerIngressShareMax: Math.max(...shares), digest: result.digest };
}

/** Bytes each broker has received so far, over every link and traffic class. */
function ingress(links: readonly LinkTraffic[], brokers: readonly string[]): Map<string, number> {
  const bytes = new Map(brokers.map((name) => [name, 0]));
  for (const link of links) if (bytes.has(link.to)) bytes.set(link.to, bytes.get(link.to)! + link.bytes);
  return bytes;
}

/** Test 9: one record at a time, produced with acks=1 and read by one consumer; latency from send() to delivery. */
function endToEndLatencyMs(): { p50: number; p99: number; digest: string } {
  const result = runKafka({
    seed: SEED,
    cluster: { brokers: 3, topics: [{ name: "t", partitions: 6, replicationFactor: 3 }], config: {}, disk: JBOD6, network: { nic: NIC } },
    producers: [{ name: "p1", topic: "t", partitions: 6, messagesPerSecond: 500, messagesPerSend: 1, bytesPerMessage: RECORD_BYTES, config: { acks: 1, "linger.ms": 0 } }],
    consumers: [{ name: "c1", group: "g", topics: ["t"], config: {} }],
    faults: [],
    faultPhaseNs: 10e9,
    convergeNsMax: 10e9,
    checks: { checks: [] },
  });
  // From 5 s: after the consumer has joined its group and caught up.
  const latencies = deliveryLatenciesNs(result.history, "c1", 5e9).sort((a, b) => a - b);
  const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]! / 1e6;
  return { p50: at(0.5), p99: at(0.99), digest: result.digest };
}

async function main(): Promise<void> {
  const startedMs = Date.now();
  // Read the flags first: a bad --out fails before the runs.
  const output = new BenchOutput();
  // Units of work for the progress bar: each Kreps test, the latency run, the RabbitMQ rows.
  const unitsTotal = TESTS.length + 2;
  const progress = benchProgress("bench:calibration");
  const measured = TESTS.map((test, k) => {
    const m = measure(test);
    progress.print(`test ${m.id}: model ${formatCount(m.modelRecordsPerSec)} rec/s, published ${formatCount(m.publishedRecordsPerSec)} (busiest broker ingress ${(m.brokerIngressShareMax * 100).toFixed(0)}%)\n`);
    progress.update((k + 1) / unitsTotal, `Kreps test ${test.id}`);
    return m;
  });
  const latency = endToEndLatencyMs();
  progress.print(`end-to-end latency: p50 ${latency.p50.toFixed(2)} ms, p99 ${latency.p99.toFixed(2)} ms (published 2 / 3 ms)\n`);
  progress.update((TESTS.length + 1) / unitsTotal, "end-to-end latency");
  const rabbit = measureRabbitCalibration();
  progress.stop();
  for (const row of rabbit) process.stdout.write(`RabbitMQ ${row.id} ${row.title}: model ${row.model}, published ${row.published}\n`);
  await output.write("", [
    { name: "calibration.md", content: `${renderMarkdown(measured, latency, rabbit).join("\n")}\n` },
    { name: "calibration.json", content: `${JSON.stringify({ seed: SEED, source: sourceVersion(), costs: DEFAULT_CPU_COSTS, tests: measured, latencyMs: latency, rabbitmq: rabbit }, null, 2)}\n` },
  ]);
  process.stdout.write(`measured in ${((Date.now() - startedMs) / 1000).toFixed(1)} s\n`);
  process.stdout.write(output.summary());
}

/** calibration.md, line by line. */
function renderMarkdown(measured: readonly Measured[], latency: { p50: number; p99: number; digest: string }, rabbit: readonly RabbitCalibrationRow[]): string[] {
  const base = measured[0]!;
  const lines: string[] = [];
  const push = (line: string): void => void lines.push(line);
  push("# Calibration: the Kafka model against Kreps 2014, the RabbitMQ model beside Confluent 2020");
  push("");
  push(`Generated by \`npm run bench:calibration\` (bench/calibration.ts), seed ${SEED}, ${sourceVersion()}. Published figures: Jay Kreps, "Benchmarking Apache Kafka: 2 Million Writes Per Second (On Three Cheap Machines)", LinkedIn Engineering, 2014, and its gist of commands (../shared/research/model-references.md §1).`);
  push("");
  push("Setup as published: 3 brokers; 1 GbE on every machine; six 7200 rpm disks per broker as JBOD (modelled as one device of six times the bandwidth that never seeks, since each partition's log has a disk to itself); 100-byte records; one topic of 6 partitions; the producer perf tool's settings from the gist (batch.size 8196, acks=1; batch.size 64000 for acks=all). Each run is 3 s of virtual time; records/s is what the producers had acknowledged over [1 s, 3 s).");
  push("");
  push("| test | setting | published rec/s | model rec/s | model ÷ published | ratio to test 1, published | ratio to test 1, model | within tolerance | busiest broker NIC ingress |");
  push("|---|---|---:|---:|---:|---:|---:|:---:|---:|");
  for (const m of measured) {
    const absolute = m.modelRecordsPerSec / m.publishedRecordsPerSec;
    const publishedRatio = m.publishedRecordsPerSec / base.publishedRecordsPerSec;
    const modelRatio = m.modelRecordsPerSec / base.modelRecordsPerSec;
    const isAbsoluteOk = Math.abs(absolute - 1) <= 0.35;
    const isRatioOk = m === base || Math.abs(modelRatio / publishedRatio - 1) <= 0.2;
    const verdict = m.id === "4" ? "n/a (infeasible as published)" : isAbsoluteOk && isRatioOk ? "yes" : "**no**";
    push(`| ${m.id} | ${m.title} | ${formatCount(m.publishedRecordsPerSec)} | ${formatCount(m.modelRecordsPerSec)} | ${absolute.toFixed(2)} | ${publishedRatio.toFixed(3)} | ${modelRatio.toFixed(3)} | ${verdict} | ${(m.brokerIngressShareMax * 100).toFixed(0)}% |`);
  }
  push(`| 9 | end-to-end latency, p50 / p99 | 2 / 3 ms | ${latency.p50.toFixed(2)} / ${latency.p99.toFixed(2)} ms | | | | | |`);
  push("");
  push("**Test 4 cannot be met as published on 1 GbE.** With 3× replication every broker receives each byte it leads once from a producer and each byte it follows once more from each other leader: at 2,024,032 records/s of 100 bytes (plus framing) that is about 200 MB/s of ingress per broker, well over the 125 MB/s a 1 GbE port carries. With acks=1 and replica.lag.max.messages at 10 million, the followers most likely fell behind during Kreps' measurement, so the producers were acknowledged faster than the replicas kept up. The model's followers keep up (its links enforce 125 MB/s), so its figure for test 4 is bounded by the brokers' NIC ingress.");
  push("");
  push("**CPU costs used** (src/systems/kafka/cpu-costs.ts, per thread; the fitted ones were chosen once for this comparison):");
  push("");
  push("| cost | ns |");
  push("|---|---:|");
  for (const [name, value] of Object.entries(DEFAULT_CPU_COSTS)) push(`| ${name} | ${value} |`);
  push("");
  push("**How the fit reads.** Test 1 is bounded in the model by the producer's application thread (producerRecordNs); test 3 by the round trip each acks=all request makes, one request per connection at a time: the leader's append, the followers' fetch and append, their next fetch. The leader's per-record cost is bounded from above by test 1 (a larger one would make acks=1 requests, one at a time, the limit), so the fit puts most of test 3's cost on the followers (replicaRecordNs above handlerRecordNs). Kafka 0.8's followers did validate every message, but part of what the fit charges them was likely spent elsewhere in 2014 (the purgatory's checks, the fetcher loop): treat the split between the two as a fit, not a measurement.");
  push("");
  push("**End-to-end latency is not fitted.** The model's 0.69 ms median is below Kreps' 2 ms: its network's one-way latency is 150 µs median (a same-rack figure), its consumer is woken as soon as the high watermark moves, and Kreps' tool used the 0.8 consumer and a 2014 network.");
  push("");
  push("**What the model leaves out here.** Record format: the model's batches carry 61 bytes of header and no per-record overhead, where Kafka 0.8's messages carried about 22–26 bytes each, so the model's wire bytes per record are lower and its NIC limits higher than Kreps'. Threads do not compete for the six cores. Producer send() is charged per record on the application thread; the producer's sender thread costs nothing.");
  push("");
  push(`Trace digests: ${measured.map((m) => `test ${m.id} \`${m.digest}\``).join(", ")}, latency \`${latency.digest}\`.`);
  push("");
  for (const line of rabbitCalibrationLines(rabbit)) push(line);
  return lines;
}

await main();

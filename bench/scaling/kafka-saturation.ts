/**
 * (b) Kafka's maximum throughput: producers offer far more than the cluster
 * can take for a few virtual seconds, and the acknowledged payload, every
 * NIC's bytes and every disk's busy time are measured over a steady-state
 * window as differences of counter snapshots.
 *
 * The run is assembled from the same parts runKafka uses (buildKafkaCluster,
 * ProducerDriver, a History), because runKafka offers no point to read the
 * counters mid-run and always waits for the cluster to settle, which here
 * would mean draining tens of gigabytes of producer backlog. The scheduler
 * is run in steps (to the window's start, then one sampling interval at a
 * time): stepping adds no events, so the run is the one an unstepped run
 * would make.
 */
import { History } from "../../src/history/history.js";
import { Kernel } from "../../src/kernel/kernel.js";
import { buildKafkaCluster } from "../../src/systems/kafka/cluster.js";
import { ProducerDriver } from "../../src/systems/kafka/producer-workload.js";
import { resourcesBetween } from "./bottleneck.js";
import type { PointOptions, ResourceUse, SaturationThroughput } from "./design.js";
import type { KafkaBroker } from "../../src/systems/kafka/broker.js";
import { clusterSpec, EVENTS_MAX, IN_FLIGHT_MAX, NIC, producerNames, producerWorkloads } from "./kafka-setup.js";
import { snapshotCounters } from "./traffic.js";
import { windowAcks } from "./window-acks.js";

export function measureKafkaSaturation(brokers: number, partitions: number, options: PointOptions): SaturationThroughput {
  const sat = options.saturation;
  if (!(0 <= sat.windowFromNs && sat.windowFromNs < sat.windowToNs && sat.windowToNs <= sat.runNs)) throw new Error("the window must lie within the run");
  const producerCount = Math.ceil(brokers * sat.producersPerBroker);
  const names = producerNames(producerCount);
  const clients = new Set(names);
  const kernel = new Kernel({ seed: options.seed, budgets: { eventsMax: EVENTS_MAX, timeNsMax: sat.runNs } });
  const cluster = buildKafkaCluster(kernel, { ...clusterSpec(brokers, partitions), clients: names });
  const { world } = cluster;
  const servers = new Set(cluster.brokerNames);
  const history = new History();
  const messagesPerSecondEach = sat.bytesPerSecPerProducer / options.messageBytes;
  const drivers = producerWorkloads(names, partitions, messagesPerSecondEach, sat.messagesPerSend, options.messageBytes).map((workload) => {
    const driver = new ProducerDriver(world, workload, cluster.brokerNames, history, sat.runNs);
    world.install(workload.name, driver);
    return driver;
  });
  world.boot();

  const runTo = (untilNs: number): void => {
    const result = kernel.scheduler.run({ untilNs });
    if (result.reason !== "time-reached" && result.reason !== "idle") throw new Error(`Kafka saturation run (N=${brokers}, P=${partitions}) stopped early: ${result.reason}`);
  };
  runTo(sat.windowFromNs);
  const before = snapshotCounters(world, servers);
  const cpuBefore = cpuSnapshot(cluster, drivers);
  // The producers' in-flight produce requests, sampled over the window, as a share of what their windows allow.
  const windowCapacity = IN_FLIGHT_MAX * brokers * producerCount;
  let inFlightShareSum = 0;
  let bufferFullSum = 0;
  let samples = 0;
  for (let t = sat.windowFromNs + sat.sampleEveryNs; t <= sat.windowToNs; t += sat.sampleEveryNs) {
    runTo(t);
    let inFlight = 0;
    for (const driver of drivers) {
      inFlight += driver.producer?.inFlightCount() ?? 0;
      if (driver.producer?.bufferPool.isFull === true) bufferFullSum += 1 / drivers.length;
    }
    inFlightShareSum += inFlight / windowCapacity;
    samples++;
  }
  if (kernel.now < sat.windowToNs) runTo(sat.windowToNs);
  const after = snapshotCounters(world, servers);
  const cpuAfter = cpuSnapshot(cluster, drivers);
  if (sat.runNs > sat.windowToNs) runTo(sat.runNs);

  const offeredBytesPerSec = sat.bytesPerSecPerProducer * producerCount;
  const { acks, ackedBytes } = windowAcks(history, sat, options.messageBytes, offeredBytesPerSec);
  return {
    offeredBytesPerSec,
    producers: producerCount,
    windowFromNs: sat.windowFromNs,
    windowToNs: sat.windowToNs,
    ...acks,
    resources: withThreads(resourcesBetween(before, after, NIC, { servers, clients }), cpuBefore, cpuAfter, sat.windowToNs - sat.windowFromNs),
    producerWindowUse: samples === 0 ? null : inFlightShareSum / samples,
    producerBufferFullShare: samples === 0 ? null : bufferFullSum / samples,
    replicationWirePerPayload: (after.serverToServerBytes - before.serverToServerBytes) / ackedBytes,
    digest: kernel.digestHex(),
    events: kernel.scheduler.eventsFired,
  };
}

interface CpuSnapshot {
  brokers: Map<string, ReturnType<KafkaBroker["cpuUse"]>>;
  producers: Map<string, number>;
}

/** Every broker's and producer's thread CPU so far (src/systems/kafka/cpu-costs.ts). */
function cpuSnapshot(cluster: ReturnType<typeof buildKafkaCluster>, drivers: readonly ProducerDriver[]): CpuSnapshot {
  const brokers = new Map<string, ReturnType<KafkaBroker["cpuUse"]>>();
  for (const [name, broker] of cluster.brokers) brokers.set(name, broker.cpuUse());
  const producers = new Map<string, number>();
  drivers.forEach((driver, k) => producers.set(`p${k + 1}`, driver.producer?.caller.cpuNs ?? 0));
  return { brokers, producers };
}

/**
 * The threads as resources beside the NICs and disks: each broker's request
 * handler pool (CPU over num.io.threads × the window), its busiest processor
 * and its busiest replica fetcher (each one thread), and each producer's
 * send() thread. Busiest first, as resourcesBetween sorts.
 */
function withThreads(resources: ResourceUse[], before: CpuSnapshot, after: CpuSnapshot, windowNs: number): ResourceUse[] {
  const found = [...resources];
  for (const [node, end] of after.brokers) {
    const start = before.brokers.get(node)!;
    const add = (kind: string, share: number): void => void found.push({ node, kind, side: "server", resource: `${node} ${kind}`, share });
    add("CPU (request handlers)", (end.handlerNs - start.handlerNs) / (end.handlerThreads * windowNs));
    add("CPU (busiest processor)", (end.processorNsMax - start.processorNsMax) / windowNs);
    add("CPU (busiest replica fetcher)", (end.fetcherNsMax - start.fetcherNsMax) / windowNs);
  }
  for (const [node, end] of after.producers) {
    found.push({ node, kind: "CPU (send() thread)", side: "client", resource: `${node} CPU (send() thread)`, share: (end - before.producers.get(node)!) / windowNs });
  }
  return found.sort((a, b) => b.share - a.share || (a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0));
}

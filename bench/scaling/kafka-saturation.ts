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
import { History } from "../../src/clients/history.js";
import { Kernel } from "../../src/kernel/kernel.js";
import { buildKafkaCluster } from "../../src/systems/kafka/cluster.js";
import { ProducerDriver } from "../../src/systems/kafka/producer-workload.js";
import { resourcesBetween } from "./bottleneck.js";
import type { PointOptions, SaturationThroughput } from "./design.js";
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
  // The producers' in-flight produce requests, sampled over the window, as a share of what their windows allow.
  const windowCapacity = IN_FLIGHT_MAX * brokers * producerCount;
  let inFlightShareSum = 0;
  let samples = 0;
  for (let t = sat.windowFromNs + sat.sampleEveryNs; t <= sat.windowToNs; t += sat.sampleEveryNs) {
    runTo(t);
    let inFlight = 0;
    for (const driver of drivers) inFlight += driver.producer?.inFlightCount() ?? 0;
    inFlightShareSum += inFlight / windowCapacity;
    samples++;
  }
  if (kernel.now < sat.windowToNs) runTo(sat.windowToNs);
  const after = snapshotCounters(world, servers);
  if (sat.runNs > sat.windowToNs) runTo(sat.runNs);

  const offeredBytesPerSec = sat.bytesPerSecPerProducer * producerCount;
  const { acks, ackedBytes } = windowAcks(history, sat, options.messageBytes, offeredBytesPerSec);
  return {
    offeredBytesPerSec,
    producers: producerCount,
    windowFromNs: sat.windowFromNs,
    windowToNs: sat.windowToNs,
    ...acks,
    resources: resourcesBetween(before, after, NIC, { servers, clients }),
    producerWindowUse: samples === 0 ? null : inFlightShareSum / samples,
    replicationWirePerPayload: (after.serverToServerBytes - before.serverToServerBytes) / ackedBytes,
    digest: kernel.digestHex(),
    events: kernel.scheduler.eventsFired,
  };
}

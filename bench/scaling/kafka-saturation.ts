/**
 * (b) Kafka's maximum throughput: producers offer far more than the cluster
 * can take for a few virtual seconds, and the acknowledged payload, every
 * NIC's bytes, every disk's busy time and every modelled thread's CPU are
 * measured over a steady-state window as differences of the run's probes.
 *
 * One runKafka run with no time to settle after the send phase (settling
 * would mean draining tens of gigabytes of producer backlog) and no checks
 * (the fixed-load run checks nothing is lost); everything is read from the
 * result as plain data, through the system registry.
 */
import { systemNamed, type KafkaRunSpec } from "../../src/systems/index.js";
import { resourcesBetween } from "./bottleneck.js";
import type { PointOptions, SaturationThroughput } from "./design.js";
import { clusterSpec, EVENTS_MAX, IN_FLIGHT_MAX, NIC, producerNames, producerWorkloads } from "./kafka-setup.js";
import { probedWindow, windowProbesAtNs } from "./probe-window.js";
import { threadsBetween } from "./threads.js";
import { snapshotCounters } from "./traffic.js";
import { windowAcks } from "./window-acks.js";

export function measureKafkaSaturation(brokers: number, partitions: number, options: PointOptions): SaturationThroughput {
  const sat = options.saturation;
  const producerCount = Math.ceil(brokers * sat.producersPerBroker);
  const names = producerNames(producerCount);
  const kafka = systemNamed("kafka");
  const spec: KafkaRunSpec = {
    seed: options.seed,
    cluster: clusterSpec(brokers, partitions),
    producers: producerWorkloads(names, partitions, sat.bytesPerSecPerProducer / options.messageBytes, sat.messagesPerSend, options.messageBytes),
    faults: [],
    faultPhaseNs: sat.runNs,
    convergeNsMax: 0,
    eventsMax: EVENTS_MAX,
    checks: { checks: [] },
    probesAtNs: windowProbesAtNs(sat),
  };
  const result = kafka.run(spec);
  const window = probedWindow(result, sat, `Kafka saturation run (N=${brokers}, P=${partitions})`);
  const servers = new Set(kafka.facts(spec, result).serverNodes);
  const before = snapshotCounters(window.first.atNs, window.first.world, servers);
  const after = snapshotCounters(window.last.atNs, window.last.world, servers);
  // The producers' in-flight produce requests, sampled over the window, as a share of what their windows allow.
  const windowCapacity = IN_FLIGHT_MAX * brokers * producerCount;
  const gauge = (name: string): number => window.samples.reduce((sum, probe) => sum + probe.gauges[name]!, 0) / window.samples.length;
  const offeredBytesPerSec = sat.bytesPerSecPerProducer * producerCount;
  const { acks, ackedBytes } = windowAcks(result.history, sat, options.messageBytes, offeredBytesPerSec);
  const resources = [...resourcesBetween(before, after, NIC, { servers, clients: new Set(names) }), ...threadsBetween(window.first, window.last)];
  return {
    offeredBytesPerSec,
    producers: producerCount,
    windowFromNs: sat.windowFromNs,
    windowToNs: sat.windowToNs,
    ...acks,
    resources: resources.sort((a, b) => b.share - a.share || (a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0)),
    producerWindowUse: window.samples.length === 0 ? null : gauge("producer requests in flight") / windowCapacity,
    producerBufferFullShare: window.samples.length === 0 ? null : gauge("producers with a full buffer pool") / producerCount,
    replicationWirePerPayload: (after.serverToServerBytes - before.serverToServerBytes) / ackedBytes,
    digest: result.digest,
    events: result.events,
  };
}

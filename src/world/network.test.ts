import { describe, expect, it } from "vitest";
import { Kernel } from "../kernel/kernel.js";
import type { CloseReason, ConnectionHandler, Endpoint } from "./connection.js";
import { Network, type NetworkOptions } from "./network.js";
import { WorldNode } from "./node.js";

const LATENCY_NS = 100_000;
const GBIT_BYTES_PER_SEC = 125_000_000;

interface Harness {
  kernel: Kernel;
  net: Network;
  nodes: WorldNode[];
}

function harness(nodeCount: number, network: Partial<NetworkOptions> = {}): Harness {
  const kernel = new Kernel({ seed: 7 });
  const nodes = Array.from({ length: nodeCount }, (_, index) => new WorldNode({ index, name: `n${index + 1}`, scheduler: kernel.scheduler }));
  for (const node of nodes) node.markBooted();
  const net = new Network({
    scheduler: kernel.scheduler,
    rng: kernel.rng,
    trace: kernel.trace,
    marks: kernel.marks,
    nodes,
    network: {
      nic: { egressBytesPerSec: GBIT_BYTES_PER_SEC },
      latency: { kind: "constant", value: LATENCY_NS },
      framing: null,
      connectTimeoutNs: 1_000_000_000,
      ...network,
    },
  });
  return { kernel, net, nodes };
}

/** Records what one end hears, with virtual times. */
class Recorder implements ConnectionHandler {
  readonly events: { timeNs: number; what: string; payload?: unknown; reason?: CloseReason }[] = [];
  endpoint: Endpoint | null = null;
  constructor(private readonly kernel: Kernel) {}
  onOpen(endpoint: Endpoint): void {
    this.endpoint = endpoint;
    this.events.push({ timeNs: this.kernel.now, what: "open" });
  }
  onData(_endpoint: Endpoint, payload: unknown): void {
    this.events.push({ timeNs: this.kernel.now, what: "data", payload });
  }
  onClose(_endpoint: Endpoint, reason: CloseReason): void {
    this.events.push({ timeNs: this.kernel.now, what: "close", reason });
  }
  data(): { timeNs: number; payload?: unknown }[] {
    return this.events.filter((event) => event.what === "data");
  }
  closes(): { timeNs: number; reason?: CloseReason }[] {
    return this.events.filter((event) => event.what === "close");
  }
}

/** Opens a connection from nodes[a] to nodes[b] and runs until it is open on both ends. */
function openConnection(h: Harness, a: number, b: number, trafficClass = "data", port = "p"): { client: Recorder; server: Recorder } {
  const server = new Recorder(h.kernel);
  const key = `${b}:${port}`;
  if (!listening.has(h) || !listening.get(h)!.has(key)) {
    h.net.listen(h.nodes[b]!, port, {
      accept: (endpoint) => {
        const recorder = pendingServers.get(h)!.shift()!;
        recorder.endpoint = endpoint;
        return recorder;
      },
    });
    if (!listening.has(h)) listening.set(h, new Set());
    listening.get(h)!.add(key);
  }
  if (!pendingServers.has(h)) pendingServers.set(h, []);
  pendingServers.get(h)!.push(server);
  const client = new Recorder(h.kernel);
  h.net.connect(h.nodes[a]!, h.nodes[b]!, port, trafficClass, client);
  h.kernel.scheduler.run({ until: () => client.endpoint !== null && server.endpoint !== null });
  expect(client.endpoint?.isOpen).toBe(true);
  return { client, server };
}
const listening = new Map<Harness, Set<string>>();
const pendingServers = new Map<Harness, Recorder[]>();

describe("network timing", () => {
  it("delivers N bytes over bandwidth B and latency L at exactly L + N/B", () => {
    const h = harness(2);
    const { client, server } = openConnection(h, 0, 1);
    const sentAt = h.kernel.now;
    const bytes = 1_000_000;
    client.endpoint!.send("m1", bytes);
    h.kernel.scheduler.run();
    const expected = sentAt + LATENCY_NS + (bytes * 1e9) / GBIT_BYTES_PER_SEC;
    expect(server.data()).toEqual([{ timeNs: expected, what: "data", payload: "m1" }]);
  });

  it("queues later sends behind earlier ones on the sender's NIC", () => {
    const h = harness(2);
    const { client, server } = openConnection(h, 0, 1);
    const sentAt = h.kernel.now;
    const bytes = 125_000; // 1 ms on the wire
    for (let i = 0; i < 3; i++) client.endpoint!.send(i, bytes);
    h.kernel.scheduler.run();
    expect(server.data().map((event) => event.timeNs - sentAt)).toEqual([1_100_000, 2_100_000, 3_100_000]);
    expect(server.data().map((event) => event.payload)).toEqual([0, 1, 2]);
  });

  it("a send after CPU time (cpuDelayNs) arrives that much later, books its NIC time at once, and keeps the connection's order", () => {
    const h = harness(2);
    const { client, server } = openConnection(h, 0, 1);
    const sentAt = h.kernel.now;
    const bytes = 125_000; // 1 ms on the wire
    client.endpoint!.send("late", bytes, 3_000_000);
    // Sent next with no CPU to spend: it leaves the NIC after the first, at 2 ms, but being later on the same
    // connection it never overtakes: it arrives with the first and then takes its 1 ms through the receiving port.
    client.endpoint!.send("next", bytes);
    h.kernel.scheduler.run();
    expect(server.data().map((event) => [event.payload, event.timeNs - sentAt])).toEqual([
      ["late", 1_000_000 + 3_000_000 + LATENCY_NS],
      ["next", 1_000_000 + 3_000_000 + LATENCY_NS + 1_000_000],
    ]);
    expect(() => client.endpoint!.send("bad", 1, -1)).toThrow(/send after -1 ns of CPU/);
  });

  it("shares one NIC between two flows", () => {
    const h = harness(3);
    const toB = openConnection(h, 0, 1);
    const toC = openConnection(h, 0, 2);
    const start = h.kernel.now;
    const bytes = 125_000;
    for (let i = 0; i < 100; i++) {
      toB.client.endpoint!.send(i, bytes);
      toC.client.endpoint!.send(i, bytes);
    }
    h.kernel.scheduler.run();
    const lastB = toB.server.data().at(-1)!.timeNs - start;
    const lastC = toC.server.data().at(-1)!.timeNs - start;
    // Each flow alone would finish in 100 ms; sharing, both finish near 200 ms.
    expect(lastB).toBeGreaterThan(199_000_000);
    expect(lastC).toBeGreaterThan(199_000_000);
    expect(Math.abs(lastB - lastC)).toBeLessThanOrEqual(1_000_000);
  });

  it("queues converging flows at the receiver's port", () => {
    const h = harness(3);
    const fromA = openConnection(h, 0, 2);
    const fromB = openConnection(h, 1, 2);
    const start = h.kernel.now;
    const bytes = 125_000;
    fromA.client.endpoint!.send("a", bytes);
    fromB.client.endpoint!.send("b", bytes);
    h.kernel.scheduler.run();
    const times = [fromA.server.data()[0]!.timeNs - start, fromB.server.data()[0]!.timeNs - start].sort((x, y) => x - y);
    expect(times).toEqual([1_100_000, 2_100_000]);
  });

  it("adds Ethernet framing to the bytes on the wire", () => {
    const h = harness(2, { framing: { payloadBytesPerFrame: 1448, overheadBytesPerFrame: 90 } });
    const { client } = openConnection(h, 0, 1);
    client.endpoint!.send("m", 14_480);
    h.kernel.scheduler.run();
    expect(h.net.bytesSent("n1", "n2", "data")).toBe(14_480 + 10 * 90);
  });
});

describe("network faults", () => {
  it("a partition ends no connection: what is sent during it arrives after the heal, at the next retransmission, once and in order", () => {
    const h = harness(2);
    const { client, server } = openConnection(h, 0, 1);
    const start = h.kernel.now;
    h.net.partition({ kind: "total", groups: [["n1"], ["n2"]] });
    for (const payload of ["a", "b", "c"]) expect(client.endpoint!.send(payload, 100)).toBe(true);
    // "a" is lost on arrival (100 bytes take 800 ns on the wire, then the latency); b and c behind it.
    const lostAt = start + 800 + LATENCY_NS;
    h.kernel.scheduler.run({ untilNs: start + 5_000_000_000 });
    expect(server.data()).toEqual([]);
    // All three wait in the sender's buffer for an acknowledgement (the probe in flight is not counted).
    expect(client.endpoint!.bufferedBytes).toBeGreaterThanOrEqual(200);
    h.net.heal();
    h.kernel.scheduler.run({ untilNs: start + 20_000_000_000 });
    // Retransmissions at +0.2, +0.6, +1.4, +3.0 s (all lost), then +6.2 s: after the heal at 5 s, it gets through.
    const firstAt = lostAt + 6_200_000_000 + 800 + LATENCY_NS;
    expect(server.data()).toEqual([
      { timeNs: firstAt, what: "data", payload: "a" },
      // The acknowledgement of "a" ends recovery: b and c go out then.
      { timeNs: firstAt + 800 + LATENCY_NS, what: "data", payload: "b" },
      { timeNs: firstAt + 1_600 + LATENCY_NS, what: "data", payload: "c" },
    ]);
    expect([...client.closes(), ...server.closes()]).toEqual([]);
    expect(client.endpoint!.bufferedBytes).toBe(0);
    expect(server.endpoint!.send("reply", 100)).toBe(true);
    h.kernel.scheduler.run({ untilNs: h.kernel.now + 1_000_000 });
    expect(client.data().map((event) => event.payload)).toEqual(["reply"]);
    expect(h.kernel.marks.count("net.tcp.retransmit")).toBe(5);
  });

  it("data in flight when a partition starts is retransmitted, not lost", () => {
    const h = harness(2);
    const { client, server } = openConnection(h, 0, 1);
    const start = h.kernel.now;
    client.endpoint!.send("in-flight", 1_250_000); // 10 ms on the wire
    h.kernel.scheduler.run({ untilNs: start + 1_000_000 });
    h.net.partition({ kind: "total", groups: [["n1"], ["n2"]] });
    h.kernel.scheduler.run({ untilNs: start + 100_000_000 });
    h.net.heal();
    h.kernel.scheduler.run({ untilNs: start + 1_000_000_000 });
    expect(server.data().map((event) => event.payload)).toEqual(["in-flight"]);
    expect(client.closes()).toEqual([]);
  });

  it("a sender gives up after tcp_retries2 retransmissions (924.6 s) and hears timeout; an idle connection across the cut stays open", () => {
    const h = harness(2);
    const { client, server } = openConnection(h, 0, 1);
    const idle = openConnection(h, 0, 1);
    const start = h.kernel.now;
    h.net.partition({ kind: "total", groups: [["n1"], ["n2"]] });
    client.endpoint!.send("x", 100);
    const lostAt = start + 800 + LATENCY_NS;
    // 0.2 + 0.4 + ... + 102.4 s, then six waits at TCP_RTO_MAX (120 s).
    const giveUpAt = lostAt + 924_600_000_000;
    h.kernel.scheduler.run({ untilNs: giveUpAt - 1 });
    expect(client.closes()).toEqual([]);
    h.kernel.scheduler.run({ untilNs: giveUpAt });
    expect(client.closes()).toEqual([{ timeNs: giveUpAt, what: "close", reason: "timeout" }]);
    expect(client.endpoint!.send("after", 10)).toBe(false);
    // The peer heard nothing: its next send, after the heal, reaches a socket that is gone and draws a reset.
    expect(server.closes()).toEqual([]);
    h.net.heal();
    const sentAt = h.kernel.now;
    server.endpoint!.send("late", 100);
    h.kernel.scheduler.run({ untilNs: sentAt + 1_000_000 });
    expect(server.closes()).toEqual([{ timeNs: sentAt + 2 * (800 + LATENCY_NS) - 800, what: "close", reason: "reset" }]);
    expect(client.data()).toEqual([]);
    // No keepalive: nothing was sent on the idle connection, so nothing ended it.
    expect([...idle.client.closes(), ...idle.server.closes()]).toEqual([]);
    expect(idle.client.endpoint!.isOpen).toBe(true);
  });

  it("a one-way partition delivers data whose acknowledgements cannot get back once, and the sender waits until they can", () => {
    const h = harness(2);
    const { client, server } = openConnection(h, 0, 1);
    const start = h.kernel.now;
    h.net.partition({ kind: "one-way", from: ["n2"], to: ["n1"] });
    client.endpoint!.send("a", 100);
    h.kernel.scheduler.run({ untilNs: start + 1_000_000 });
    client.endpoint!.send("b", 100);
    h.kernel.scheduler.run({ untilNs: start + 2_000_000_000 });
    // "a" got through; its retransmissions are duplicates; "b" waits behind it (no acknowledgement, no window).
    expect(server.data().map((event) => event.payload)).toEqual(["a"]);
    expect(h.kernel.marks.count("net.tcp.duplicate")).toBeGreaterThan(0);
    h.net.heal();
    h.kernel.scheduler.run({ untilNs: start + 10_000_000_000 });
    expect(server.data().map((event) => event.payload)).toEqual(["a", "b"]);
    expect([...client.closes(), ...server.closes()]).toEqual([]);
  });

  it("a partition scoped to one traffic class holds only that class", () => {
    const h = harness(2);
    const data = openConnection(h, 0, 1, "data", "data-port");
    const control = openConnection(h, 0, 1, "control", "control-port");
    h.net.partition({ kind: "total", groups: [["n1"], ["n2"]], classes: ["data"] });
    data.client.endpoint!.send("d", 100);
    control.client.endpoint!.send("c", 100);
    h.kernel.scheduler.run({ untilNs: h.kernel.now + 10_000_000_000 });
    expect(data.server.data()).toEqual([]);
    expect(control.server.data().map((event) => event.payload)).toEqual(["c"]);
    expect([...data.client.closes(), ...control.client.closes()]).toEqual([]);
  });

  it("one-way partitions drop one direction of datagrams only", () => {
    const h = harness(2);
    const got: string[] = [];
    for (const node of h.nodes) h.net.bindDatagram(node, "gossip", { onDatagram: (to, from, payload) => got.push(`${from.name}->${to.name}:${String(payload)}`) });
    h.net.partition({ kind: "one-way", from: ["n1"], to: ["n2"] });
    h.net.sendDatagram(h.nodes[0]!, h.nodes[1]!, "gossip", "data", "x", 10);
    h.net.sendDatagram(h.nodes[1]!, h.nodes[0]!, "gossip", "data", "y", 10);
    h.kernel.scheduler.run();
    expect(got).toEqual(["n2->n1:y"]);
  });

  it("a bridge node reaches both sides that cannot reach each other", () => {
    const h = harness(3);
    h.net.partition({ kind: "bridge", sides: [["n1"], ["n2"]], bridge: ["n3"] });
    expect(h.net.partitions.isCut(0, 1, 0)).toBe(true);
    expect(h.net.partitions.isCut(1, 0, 0)).toBe(true);
    expect(h.net.partitions.isCut(0, 2, 0)).toBe(false);
    expect(h.net.partitions.isCut(2, 1, 0)).toBe(false);
    h.net.heal();
    expect(h.net.partitions.isCut(0, 1, 0)).toBe(false);
  });

  it("a peer process crash resets the connection after one latency; across a cut the peer learns at its next send after the heal", () => {
    const h = harness(3);
    const crashed = openConnection(h, 0, 1);
    const acrossCut = openConnection(h, 0, 2);
    const start = h.kernel.now;
    h.net.partition({ kind: "total", groups: [["n1"], ["n3"]] });
    for (const index of [1, 2]) {
      h.nodes[index]!.markDown("process-crash");
      h.net.onProcessCrash(h.nodes[index]!);
    }
    h.kernel.scheduler.run({ untilNs: start + 60_000_000_000 });
    expect(crashed.client.closes()).toEqual([{ timeNs: start + LATENCY_NS, what: "close", reason: "reset" }]);
    expect(crashed.server.closes()).toEqual([]);
    // The reset was lost in the cut; an idle client cannot tell.
    expect(acrossCut.client.closes()).toEqual([]);
    h.net.heal();
    const sentAt = h.kernel.now;
    acrossCut.client.endpoint!.send("hello?", 100);
    h.kernel.scheduler.run({ untilNs: sentAt + 1_000_000 });
    expect(acrossCut.client.closes()).toEqual([{ timeNs: sentAt + 800 + 2 * LATENCY_NS, what: "close", reason: "reset" }]);
  });

  it("a powered-off peer is noticed only by sending: retransmissions until its machine is back, then a reset", () => {
    const h = harness(2);
    const { client } = openConnection(h, 0, 1);
    const start = h.kernel.now;
    h.nodes[1]!.markDown("power-loss");
    h.net.onPowerLoss(h.nodes[1]!, true);
    client.endpoint!.send("ping", 100);
    h.kernel.scheduler.run({ untilNs: start + 30_000_000_000 });
    expect(client.closes()).toEqual([]);
    expect(h.kernel.marks.count("net.tcp.retransmit")).toBeGreaterThan(5);
    h.nodes[1]!.markBooted();
    h.kernel.scheduler.run({ untilNs: start + 200_000_000_000 });
    expect(client.closes().map((close) => close.reason)).toEqual(["reset"]);
    // The retransmission after the boot drew it: 0.2 + 0.4 + ... + 25.6 + 51.2 s after the loss.
    expect(client.closes()[0]!.timeNs).toBe(start + 800 + LATENCY_NS + 51_000_000_000 + 800 + 2 * LATENCY_NS);
  });

  it("refuses a connection to a port nobody listens on, and times out on a dead machine", () => {
    const h = harness(3);
    const refused = new Recorder(h.kernel);
    h.net.connect(h.nodes[0]!, h.nodes[1]!, "nobody", "data", refused);
    h.nodes[2]!.markDown("power-loss");
    h.net.onPowerLoss(h.nodes[2]!, true);
    const silent = new Recorder(h.kernel);
    h.net.connect(h.nodes[0]!, h.nodes[2]!, "p", "data", silent);
    h.kernel.scheduler.run();
    expect(refused.closes()).toEqual([{ timeNs: 2 * LATENCY_NS, what: "close", reason: "refused" }]);
    expect(silent.closes()).toEqual([{ timeNs: 1_000_000_000, what: "close", reason: "connect-timeout" }]);
  });

  it("holds deliveries to a paused process and releases them in order at resume", () => {
    const h = harness(2);
    const { client, server } = openConnection(h, 0, 1);
    h.nodes[1]!.markPaused();
    for (let i = 0; i < 5; i++) client.endpoint!.send(i, 1000);
    h.kernel.scheduler.run({ untilNs: h.kernel.now + 50_000_000 });
    expect(server.data()).toEqual([]);
    const resumedAt = h.kernel.now;
    h.nodes[1]!.markResumed();
    h.kernel.scheduler.run();
    expect(server.data().map((event) => event.payload)).toEqual([0, 1, 2, 3, 4]);
    expect(server.data().every((event) => event.timeNs === resumedAt)).toBe(true);
  });

  it("loses, duplicates and reorders datagrams at the configured rates", () => {
    const h = harness(2, { latency: { kind: "uniform", min: 50_000, max: 150_000 } });
    h.net.setDatagramFaults({
      loss: { numerator: 1, denominator: 4 },
      duplicate: { numerator: 1, denominator: 10 },
      reorder: { numerator: 1, denominator: 10 },
      reorderDelay: { kind: "constant", value: 10_000_000 },
    });
    const got: number[] = [];
    h.net.bindDatagram(h.nodes[1]!, "u", { onDatagram: (_to, _from, payload) => got.push(payload as number) });
    const sent = 20_000;
    for (let i = 0; i < sent; i++) h.net.sendDatagram(h.nodes[0]!, h.nodes[1]!, "u", "data", i, 100);
    h.kernel.scheduler.run();
    const distinct = new Set(got).size;
    expect(distinct / sent).toBeGreaterThan(0.73);
    expect(distinct / sent).toBeLessThan(0.77);
    expect((got.length - distinct) / distinct).toBeGreaterThan(0.08);
    let inversions = 0;
    for (let i = 1; i < got.length; i++) if (got[i]! < got[i - 1]!) inversions++;
    expect(inversions).toBeGreaterThan(100);
  });

  it("counts bytes per link, per node and per class consistently", () => {
    const h = harness(3);
    const ab = openConnection(h, 0, 1, "data", "d");
    const ac = openConnection(h, 0, 2, "replication", "r");
    ab.client.endpoint!.send("x", 1000);
    ac.client.endpoint!.send("y", 3000);
    ab.server.endpoint!.send("z", 500);
    h.kernel.scheduler.run();
    expect(h.net.bytesSent("n1", "n2", "data")).toBe(1000);
    expect(h.net.bytesSent("n1", "n3", "replication")).toBe(3000);
    expect(h.net.bytesSent("n2", "n1", "data")).toBe(500);
    expect(h.net.counters.nodeTxBytes(0)).toBe(4000);
    expect(h.net.counters.nodeRxBytes(0)).toBe(500);
    expect(h.net.counters.classBytes(h.net.classId("data"))).toBe(1500);
    expect(h.net.counters.totalBytes()).toBe(4500);
    expect(h.net.links().map((link) => `${link.from}->${link.to}:${link.trafficClass}=${link.bytes}`)).toEqual([
      "n1->n2:data=1000",
      "n1->n3:replication=3000",
      "n2->n1:data=500",
    ]);
  });
});

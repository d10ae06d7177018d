/**
 * The broker's registration schedule against a stub NameServer that only
 * records what arrives (and answers, unless told to stay quiet): the
 * registration at start, the bounded period, a round that runs late, and
 * nothing left behind by a stop or a crash.
 */
import { describe, expect, it } from "vitest";
import { Kernel } from "../../kernel/index.js";
import type { NodeSoftware, WorldNode } from "../../world/node.js";
import { World } from "../../world/world.js";
import { DEFAULT_BROKER_CONFIG, type RocketBrokerConfig } from "./config.js";
import { NAMESRV_PORT, namesrvBytesOf, type NamesrvRequest, type NamesrvResponse } from "./namesrv-protocol.js";
import { RegisteringBroker, registrationOf, SEC } from "./namesrv-world.test-support.js";

/** Records each request's arrival time (whole ms); answers REGISTER_BROKER unless quiet. */
class StubNameServer implements NodeSoftware {
  readonly arrivalsMs: number[] = [];
  isQuiet = false;

  constructor(private readonly world: World) {}

  start(node: WorldNode): void {
    this.world.net.listen(node, NAMESRV_PORT, {
      accept: () => ({
        onData: (endpoint, payload) => {
          const request = payload as NamesrvRequest;
          this.arrivalsMs.push(Math.floor(node.now / 1_000_000));
          if (this.isQuiet || request.kind !== "REGISTER_BROKER") return;
          const answer: NamesrvResponse = { kind: "REGISTER_BROKER_RESPONSE", requestId: request.requestId, result: { masterAddr: "m", haServerAddr: "m:ha" } };
          endpoint.send(answer, namesrvBytesOf(answer));
        },
        onClose: () => undefined,
      }),
    });
  }
}

function setup(config: Partial<RocketBrokerConfig> = {}) {
  const kernel = new Kernel({ seed: 3 });
  const world = new World({ kernel, nodes: [{ name: "ns" }, { name: "b" }], network: { latency: { kind: "constant", value: 100_000 }, framing: null } });
  const stub = new StubNameServer(world);
  const broker = new RegisteringBroker(world, ["ns"], registrationOf({ node: "b", brokerName: "broker-b", brokerId: 1 }), { ...DEFAULT_BROKER_CONFIG, ...config });
  world.install("ns", stub);
  world.install("b", broker);
  world.boot();
  return { kernel, world, stub, broker, runTo: (timeNs: number) => kernel.scheduler.run({ untilNs: timeNs }) };
}

describe("NamesrvRegistrar", () => {
  it("registers at start, 10 s later, then every registerNameServerPeriod, and hands on the answer", () => {
    const { stub, broker, runTo } = setup();
    runTo(75 * SEC);
    expect(stub.arrivalsMs).toEqual([0, 10_000, 40_000, 70_000]);
    expect(broker.results).toHaveLength(4);
    expect(broker.results.at(-1)!.result).toEqual({ masterAddr: "m", haServerAddr: "m:ha" });
  });

  it("bounds the period to [10 s, 60 s], as BrokerController does", () => {
    const fast = setup({ registerNameServerPeriod: 1_000 });
    fast.runTo(35 * SEC);
    expect(fast.stub.arrivalsMs).toEqual([0, 10_000, 20_000, 30_000]);
    const slow = setup({ registerNameServerPeriod: 600_000 });
    slow.runTo(135 * SEC);
    expect(slow.stub.arrivalsMs).toEqual([0, 10_000, 70_000, 130_000]);
  });

  it("starts the rounds that came due during a slow one when that one ends, as one", () => {
    // Period 10 s, deadline 24 s, a NameServer that never answers: the first round waits out its
    // deadline, and the rounds due at 10 s and 20 s run as one at 24 s. Its request goes out on the
    // old connection, which the first request's timeout closes a moment later, failing it too; the
    // 30 s round then connects again.
    const { stub, broker, runTo, kernel } = setup({ registerNameServerPeriod: 10_000 });
    stub.isQuiet = true;
    runTo(50 * SEC);
    expect(stub.arrivalsMs).toEqual([0, 24_000, 30_000]);
    expect(broker.results).toEqual([]);
    expect(kernel.marks.count("rocketmq.broker.namesrv-request-timeout")).toBe(1);
  });

  it("leaves nothing scheduled once stopped", () => {
    const { stub, broker, runTo, kernel } = setup();
    runTo(15 * SEC);
    broker.registrar!.stop();
    const result = kernel.scheduler.run();
    expect(result.reason).toBe("idle");
    expect(kernel.now).toBeLessThan(16 * SEC);
    expect(stub.arrivalsMs).toEqual([0, 10_000]);
  });

  it("leaves nothing scheduled after its process crashes", () => {
    const { stub, runTo, kernel, world } = setup();
    runTo(15 * SEC);
    world.processCrash("b");
    expect(kernel.scheduler.run().reason).toBe("idle");
    expect(stub.arrivalsMs).toEqual([0, 10_000]);
  });
});

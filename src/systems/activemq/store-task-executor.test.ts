import { describe, expect, it } from "vitest";
import { runActiveMq, type ActiveMqRunResult, type ActiveMqRunSpec } from "./run.js";

const S = 1_000_000_000;
const PRODUCERS = 16;

/** One broker on its own hdd, 16 sync producers of persistent 1 KiB messages offering 4,000 msg/s in all, for 10 s. */
function spec(options: { concurrentStoreAndDispatchQueues: boolean; withConsumer: boolean }): ActiveMqRunSpec {
  return {
    seed: 3,
    cluster: { brokers: ["b1"], queues: ["q"], disk: "hdd", concurrentStoreAndDispatchQueues: options.concurrentStoreAndDispatchQueues },
    producers: Array.from({ length: PRODUCERS }, (_, k) => ({ name: `p${k + 1}`, destination: "q", messagesPerSecond: 250, bodyBytes: 1_024 })),
    consumers: options.withConsumer ? [{ name: "c1", destination: "q", processNsPerMessage: 0 }] : [],
    faults: [],
    faultPhaseNs: 10 * S,
    convergeNsMax: 0,
    checks: { checks: [] },
  };
}

function ackedPerSecond(result: ActiveMqRunResult): number {
  let acked = 0;
  for (const event of result.history.events) if (event.type === "send-result" && event.outcome === "ok" && event.timeNs >= 2 * S && event.timeNs < 10 * S) acked += event.count;
  return acked / 8;
}

function fsyncs(result: ActiveMqRunResult): number {
  const disk = result.probes.at(-1)?.world.disks.find((entry) => entry.node === "b1");
  return disk?.stats.fsyncCalls ?? Number.NaN;
}

describe("KahaDB's concurrent store-and-dispatch (one store task thread)", () => {
  it("serialises sync sends: one fsync each, so without consumers an hdd broker acknowledges about 1/fsync sends a second whatever the producers", () => {
    const result = runActiveMq({ ...spec({ concurrentStoreAndDispatchQueues: true, withConsumer: false }), probesAtNs: [10 * S] });
    const rate = ackedPerSecond(result);
    // The hdd profile's fsync costs 10 ms (plus the write): at most ~100 a second.
    expect(rate).toBeGreaterThan(50);
    expect(rate).toBeLessThan(110);
    expect(fsyncs(result)).toBeGreaterThan(0.8 * rate * 8);
  });

  it("with concurrentStoreAndDispatchQueues=false each producer's own thread stores, and their writes share an fsync (group commit)", () => {
    const serial = ackedPerSecond(runActiveMq(spec({ concurrentStoreAndDispatchQueues: true, withConsumer: false })));
    const direct = runActiveMq({ ...spec({ concurrentStoreAndDispatchQueues: false, withConsumer: false }), probesAtNs: [10 * S] });
    expect(ackedPerSecond(direct)).toBeGreaterThan(5 * serial);
    expect(fsyncs(direct)).toBeLessThan(ackedPerSecond(direct) * 8 * 0.5);
  });

  it("a consumer that acks before the store task runs cancels it: the offered load is acknowledged and most messages never reach the journal", () => {
    const result = runActiveMq({ ...spec({ concurrentStoreAndDispatchQueues: true, withConsumer: true }), probesAtNs: [2 * S, 10 * S] });
    expect(ackedPerSecond(result)).toBeGreaterThan(0.95 * PRODUCERS * 250);
    const [from, to] = result.probes;
    const diskOf = (probe: typeof from) => probe!.world.disks.find((entry) => entry.node === "b1")!.stats;
    const journaledBytesPerSec = (diskOf(to).bytesWrittenToDevice - diskOf(from).bytesWrittenToDevice) / 8;
    // Every message journaled would be over 4 MB/s (1 KiB body and its command, 4,000 a second).
    expect(journaledBytesPerSec).toBeLessThan(0.25 * PRODUCERS * 250 * 1_024);
  });

  it("reports the broker's threads: transport, store task, dispatch, with CPU spent", () => {
    const result = runActiveMq({ ...spec({ concurrentStoreAndDispatchQueues: true, withConsumer: true }), probesAtNs: [10 * S] });
    const threads = result.probes.at(-1)!.threads.filter((thread) => thread.node === "b1");
    expect(threads.map((thread) => thread.thread)).toEqual(["transport threads", "store task thread", "dispatch threads", "cores"]);
    for (const thread of threads) expect(thread.busyNs).toBeGreaterThan(0);
    expect(threads[0]!.count).toBe(PRODUCERS + 1);
    expect(threads[3]!.count).toBe(8);
    expect(threads[3]!.busyNs).toBe(threads[0]!.busyNs + threads[1]!.busyNs + threads[2]!.busyNs);
  });
});

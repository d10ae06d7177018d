import { describe, expect, it } from "vitest";
import { Kernel } from "../kernel/index.js";
import { CpuCores } from "./cpu-cores.js";
import { SerialThread } from "./serial-thread.js";
import { World } from "./world.js";

const US = 1_000;

/** Four threads each given three pieces of 10 µs work at once; when each piece finished. */
function finishTimes(cores: CpuCores | null): number[] {
  const kernel = new Kernel({ seed: 1 });
  const world = new World({ kernel, nodes: [{ name: "n" }] });
  world.boot();
  const node = world.node("n");
  const done: number[] = [];
  const threads = Array.from({ length: 4 }, () => new SerialThread(node, cores));
  for (let piece = 0; piece < 3; piece++) for (const thread of threads) thread.run(10 * US, () => done.push(node.now), null);
  kernel.scheduler.run({ untilNs: 1_000 * US });
  return done;
}

describe("a machine's cores shared by its threads", () => {
  it("without cores every thread runs at once: four threads finish 12 pieces in 30 µs", () => {
    expect(Math.max(...finishTimes(null))).toBe(30 * US);
  });

  it("with two cores the same work takes twice as long, and never more than two pieces run at a time", () => {
    const cores = new CpuCores(2);
    const times = finishTimes(cores);
    expect(times).toHaveLength(12);
    expect(Math.max(...times)).toBe(60 * US);
    for (let t = 10 * US; t <= 60 * US; t += 10 * US) expect(times.filter((time) => time === t)).toHaveLength(2);
    expect(cores.busyCount).toBe(0);
    expect(cores.waitingCount).toBe(0);
  });

  it("a blocked thread holds no core: the others use it meanwhile", () => {
    const kernel = new Kernel({ seed: 1 });
    const world = new World({ kernel, nodes: [{ name: "n" }] });
    world.boot();
  world.boot();
    const node = world.node("n");
    const cores = new CpuCores(1);
    const blocking = new SerialThread(node, cores);
    const other = new SerialThread(node, cores);
    let otherDoneNs = -1;
    blocking.run(10 * US, () => blocking.block(), null);
    other.run(10 * US, () => (otherDoneNs = node.now), null);
    kernel.scheduler.run({ untilNs: 1_000 * US });
    expect(otherDoneNs).toBe(20 * US);
    expect(cores.busyCount).toBe(0);
  });

  it("refuses a machine without cores", () => {
    expect(() => new CpuCores(0)).toThrow(/0 cores/);
  });
});

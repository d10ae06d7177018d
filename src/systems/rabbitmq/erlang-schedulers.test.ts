import { describe, expect, it } from "vitest";
import { Kernel } from "../../kernel/index.js";
import { World } from "../../world/world.js";
import { ErlangSchedulers } from "./erlang-schedulers.js";

const IDLE = { start: (): void => undefined };

function makeNode() {
  const kernel = new Kernel({ seed: 1 });
  const world = new World({ kernel, nodes: 1, disk: "nvme" });
  world.install("n1", IDLE);
  world.boot();
  return { kernel, world, node: world.node("n1") };
}

describe("Erlang schedulers: processes share the node's cores", () => {
  it("a process suspended by its job (a write blocked at the dirty limit) runs nothing more, its mailbox growing, until resumed", () => {
    const { kernel, node } = makeNode();
    const schedulers = new ErlangSchedulers(node, 8);
    const queue = schedulers.spawn("q1");
    const done: [string, number][] = [];
    queue.run(10, () => {
      done.push(["blocking", kernel.now]);
      queue.suspend();
    }, null);
    queue.run(10, () => done.push(["b", kernel.now]), null);
    kernel.scheduler.run({ untilNs: 500 });
    queue.run(10, () => done.push(["c", kernel.now]), null);
    kernel.scheduler.run({ untilNs: 1_000 });
    expect(done).toEqual([["blocking", 10]]);
    expect(queue.queueLength).toBe(2);
    expect(queue.isBlocked).toBe(true);
    queue.resume();
    kernel.scheduler.run({ untilNs: 2_000 });
    expect(done).toEqual([["blocking", 10], ["b", 1_010], ["c", 1_020]]);
  });

  it("one process is serial: its jobs finish one after another, in order, whatever the cores", () => {
    const { kernel, node } = makeNode();
    const schedulers = new ErlangSchedulers(node, 8);
    const queue = schedulers.spawn("q1");
    const done: [string, number][] = [];
    for (const name of ["a", "b", "c"]) queue.run(10, (n: string) => done.push([n, kernel.now]), name);
    kernel.scheduler.run({ untilNs: 1_000 });
    expect(done).toEqual([["a", 10], ["b", 20], ["c", 30]]);
    expect(queue.busyNs).toBe(30);
  });

  it("more busy processes than cores: they share the cores, and the node's CPU time is the sum", () => {
    const { kernel, node } = makeNode();
    const schedulers = new ErlangSchedulers(node, 2);
    const finishedAt: number[] = [];
    for (let p = 0; p < 4; p++) {
      const process = schedulers.spawn(`q${p}`);
      for (let j = 0; j < 10; j++) process.run(100, () => finishedAt.push(kernel.now), null);
    }
    kernel.scheduler.run({ untilNs: 1_000_000 });
    // 40 jobs of 100 ns on 2 cores: 2,000 ns, not the 1,000 ns four cores of their own would take.
    expect(Math.max(...finishedAt)).toBe(2_000);
    expect(schedulers.busyNs).toBe(4_000);
  });

  it("round robin: a process with a long backlog does not hold a core while another waits", () => {
    const { kernel, node } = makeNode();
    const schedulers = new ErlangSchedulers(node, 1);
    const busy = schedulers.spawn("busy");
    const light = schedulers.spawn("light");
    for (let j = 0; j < 100; j++) busy.run(1_000, () => undefined, null);
    let lightDoneAt = -1;
    light.run(1_000, () => (lightDoneAt = kernel.now), null);
    kernel.scheduler.run({ untilNs: 1_000_000 });
    // The light process waits for one of the busy one's jobs, not for all hundred.
    expect(lightDoneAt).toBe(2_000);
  });

  it("a job queued by a job's effects runs after it on the same process", () => {
    const { kernel, node } = makeNode();
    const schedulers = new ErlangSchedulers(node, 4);
    const process = schedulers.spawn("ch");
    const order: string[] = [];
    process.run(5, () => {
      order.push(`first@${kernel.now}`);
      process.run(5, () => order.push(`second@${kernel.now}`), null);
    }, null);
    kernel.scheduler.run({ untilNs: 1_000 });
    expect(order).toEqual(["first@5", "second@10"]);
  });

  it("an exited process runs nothing more, and its cores go to the others", () => {
    const { kernel, node } = makeNode();
    const schedulers = new ErlangSchedulers(node, 1);
    const dying = schedulers.spawn("dying");
    const other = schedulers.spawn("other");
    const effects: string[] = [];
    for (let j = 0; j < 5; j++) dying.run(100, () => effects.push("dying"), null);
    other.run(100, () => effects.push(`other@${kernel.now}`), null);
    kernel.scheduler.run({ untilNs: 50 });
    dying.exit();
    dying.run(100, () => effects.push("after-exit"), null);
    kernel.scheduler.run({ untilNs: 10_000 });
    expect(effects).toEqual(["other@200"]);
  });

  it("a crash drops the node's jobs with its timers", () => {
    const { kernel, world, node } = makeNode();
    const schedulers = new ErlangSchedulers(node, 1);
    const process = schedulers.spawn("q");
    let ran = 0;
    process.run(1_000, () => ran++, null);
    kernel.scheduler.run({ untilNs: 500 });
    world.processCrash("n1");
    kernel.scheduler.run({ untilNs: 10_000 });
    expect(ran).toBe(0);
  });
});

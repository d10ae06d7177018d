/**
 * The RabbitMQ CPU the model keeps, as plain data: each running node's
 * Erlang schedulers (shared by all its processes) and its queue processes
 * (masters, mirrors, quorum members: one core at most each).
 */
import type { ProbeThread } from "../../run/system.js";
import type { ThreadSummary } from "../../report/run-summary.js";
import type { RabbitBroker } from "./broker.js";

/** Each running node's schedulers and busiest queue process. */
export function nodeThreads(brokers: ReadonlyMap<string, RabbitBroker>): ThreadSummary[] {
  const threads: ThreadSummary[] = [];
  for (const [node, broker] of brokers) {
    if (!broker.isRunning) continue;
    threads.push({ node, thread: "schedulers", busyNs: broker.schedulers.busyNs, count: broker.schedulers.schedulerCount });
    let busiest = 0;
    for (const role of [...broker.roles.masters.values(), ...broker.roles.mirrors.values(), ...broker.roles.quorum.values()]) busiest = Math.max(busiest, role.process.busyNs);
    threads.push({ node, thread: "busiest queue process", busyNs: busiest, count: 1 });
  }
  return threads;
}

/** The prefix of a queue process's thread name: "queue process q1 master". */
export const QUEUE_PROCESS_THREAD = "queue process";

/** Each running node's schedulers and every queue process, named "queue process <queue> <master|mirror|leader|follower>". */
export function probeThreads(brokers: ReadonlyMap<string, RabbitBroker>): ProbeThread[] {
  const threads: ProbeThread[] = [];
  for (const [node, broker] of brokers) {
    if (!broker.isRunning) continue;
    threads.push({ node, thread: "schedulers", busyNs: broker.schedulers.busyNs, count: broker.schedulers.schedulerCount, side: "server" });
    const add = (queue: string, role: string, busyNs: number): void => void threads.push({ node, thread: `${QUEUE_PROCESS_THREAD} ${queue} ${role}`, busyNs, count: 1, side: "server" });
    for (const [queue, master] of broker.roles.masters) add(queue, "master", master.process.busyNs);
    for (const [queue, mirror] of broker.roles.mirrors) add(queue, "mirror", mirror.process.busyNs);
    for (const [queue, member] of broker.roles.quorum) add(queue, member.isLeader ? "leader" : "follower", member.process.busyNs);
  }
  return threads;
}

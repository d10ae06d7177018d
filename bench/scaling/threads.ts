/**
 * The modelled threads as resources beside the NICs and disks: each
 * thread's (or pool's) CPU over the window ÷ (its thread count × the
 * window), from two probes. A thread that appears only in the later probe
 * (a queue process started in the window) counts from zero.
 */
import type { RunProbe } from "../../src/run/system.js";
import type { ResourceUse } from "./design.js";

/** A thread's kind as the report names it: "CPU (request handlers)", "CPU (queue process)". */
export function threadKind(thread: string): string {
  return thread.startsWith("queue process ") ? "CPU (queue process)" : `CPU (${thread})`;
}

/** A thread's resource name: "b1 CPU (request handlers)", "r1 q1 master CPU", "r1 schedulers CPU". */
function resourceName(node: string, thread: string, kind: string): string {
  if (thread.startsWith("queue process ")) return `${node} ${thread.slice("queue process ".length)} CPU`;
  if (thread === "schedulers") return `${node} schedulers CPU`;
  return `${node} ${kind}`;
}

export function threadsBetween(first: RunProbe, last: RunProbe): ResourceUse[] {
  const windowNs = last.atNs - first.atNs;
  if (!(windowNs > 0)) throw new Error(`empty measurement window: ${first.atNs}..${last.atNs} ns`);
  const earlier = new Map(first.threads.map((thread) => [`${thread.node}/${thread.thread}`, thread.busyNs] as const));
  return last.threads.map((thread) => {
    const kind = thread.thread === "schedulers" ? "CPU (schedulers)" : threadKind(thread.thread);
    const share = (thread.busyNs - (earlier.get(`${thread.node}/${thread.thread}`) ?? 0)) / (thread.count * windowNs);
    return { node: thread.node, kind, side: thread.side, resource: resourceName(thread.node, thread.thread, kind), share };
  });
}

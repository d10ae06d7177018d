/**
 * A run as a Chrome/Perfetto trace (open it in ui.perfetto.dev): the
 * system's nodes (its facts' node kinds) and clients as processes; faults as slices on their node's
 * track (a crash lasts until the restart, a partition until its heal); every
 * batch from its send on the client to its acknowledgement, with a flow to
 * the broker that answered.
 */
import type { FaultSchedule, TimedFault } from "../faults/fault.js";
import { describeFault } from "../faults/fault.js";
import { toChromeTrace, type ChromeTrace, type TraceBatchInput, type TraceFaultInput } from "../report/perfetto.js";
import { systemNamed } from "../systems/index.js";
import type { SystemRunResult } from "../run/system.js";
import type { ScenarioRun } from "./run-scenario.js";

export function runTrace(run: Pick<ScenarioRun, "system" | "spec" | "result">, scenarioName: string): ChromeTrace {
  const { spec, result } = run;
  return toChromeTrace({
    nodes: [...systemNamed(run.system).facts(spec, result).nodeKinds],
    faults: traceFaults(spec.faults, spec.faultPhaseNs),
    batches: traceBatches(result),
    endNs: result.timeNs,
    metadata: { scenario: scenarioName, seed: result.seed, digest: result.digest },
  });
}

/** Crashes and pauses last until the node's restart / resume (or the heal at the end of the fault phase); partitions until their heal. */
function traceFaults(faults: FaultSchedule, healAtNs: number): TraceFaultInput[] {
  const out: TraceFaultInput[] = [];
  const endOf = (k: number, matches: (later: TimedFault) => boolean): number => faults.slice(k + 1).find(matches)?.atNs ?? healAtNs;
  faults.forEach((fault, k) => {
    const detail = describeFault(fault);
    switch (fault.verb) {
      case "processCrash":
      case "powerLoss":
      case "machineLoss":
        out.push({ atNs: fault.atNs, verb: fault.verb, target: fault.node, endNs: endOf(k, (later) => later.verb === "restart" && later.node === fault.node), detail });
        break;
      case "pause":
        out.push({ atNs: fault.atNs, verb: fault.verb, target: fault.node, endNs: endOf(k, (later) => later.verb === "resume" && later.node === fault.node), detail });
        break;
      case "partition": {
        const name = fault.name ?? `partition@${fault.atNs}`;
        out.push({ atNs: fault.atNs, verb: fault.verb, target: name, endNs: endOf(k, (later) => later.verb === "heal" && (later.name === undefined || later.name === fault.name)), detail });
        break;
      }
      case "restart":
      case "resume":
      case "heal":
        break;
      default:
        out.push({ atNs: fault.atNs, verb: fault.verb, target: "node" in fault ? fault.node : "network", detail });
    }
  });
  return out;
}

function traceBatches(result: SystemRunResult): TraceBatchInput[] {
  const sent = new Map<number, { client: string; timeNs: number }>();
  const batches: TraceBatchInput[] = [];
  for (const event of result.history.events) {
    if (event.type === "send") sent.set(event.idFirst, { client: event.client, timeNs: event.timeNs });
    else if (event.type === "send-result") {
      const origin = sent.get(event.idFirst);
      if (origin === undefined) continue;
      sent.delete(event.idFirst);
      batches.push({
        client: origin.client,
        broker: event.server ?? event.stream,
        sentNs: origin.timeNs,
        ackedNs: event.outcome === "ok" ? event.timeNs : null,
        messages: event.count,
        label: `${event.stream} [${event.idFirst}..${event.idFirst + event.count - 1}] ${event.outcome}`,
      });
    }
  }
  return batches;
}

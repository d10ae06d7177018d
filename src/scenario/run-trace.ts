/**
 * A run as a Chrome/Perfetto trace (open it in ui.perfetto.dev): the
 * system's nodes (its facts' node kinds) and clients as processes; faults as slices on their node's
 * track (a crash lasts until the restart, a partition until its heal); every
 * batch from its send on the client to its acknowledgement (or refusal), with a flow to
 * the broker that answered; the cluster log (leaders' terms, in-sync sets,
 * truncations, failure detectors' verdicts) on a cluster process.
 */
import type { FaultSchedule } from "../faults/fault.js";
import { faultIntervals } from "../faults/fault-intervals.js";
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
    clusterEvents: result.clusterEvents,
    endNs: result.timeNs,
    metadata: { scenario: scenarioName, seed: result.seed, digest: result.digest },
  });
}

/** Each fault as a slice until it is undone (restart, resume, heal, healDisk) or everything heals at the end of the fault phase. */
function traceFaults(faults: FaultSchedule, healAtNs: number): TraceFaultInput[] {
  return faultIntervals(faults, healAtNs).map((fault) => ({ atNs: fault.atNs, verb: fault.verb, target: fault.target, endNs: fault.endNs, detail: fault.line }));
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
        answeredNs: event.timeNs,
        messages: event.count,
        label: `${event.stream} [${event.idFirst}..${event.idFirst + event.count - 1}] ${event.outcome}`,
      });
    }
  }
  return batches;
}

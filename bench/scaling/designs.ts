/**
 * The lines of the scaling report, in the order they are measured, drawn
 * and tabulated. The report renders whatever is in DESIGNS.
 *
 * EXTENSION POINT (RabbitMQ): when the RabbitMQ model can run, write a
 * `Design` for each planned line below (same `id`, `label`, `expectation`;
 * see design.ts for what `measure` must return), e.g. in
 * bench/scaling/rabbitmq-designs.ts, and add it to DESIGNS. A planned design
 * whose id is in DESIGNS is no longer listed as planned.
 */
import type { Design, PlannedDesign } from "./design.js";
import { KAFKA_DESIGNS } from "./kafka-designs.js";
import { RABBITMQ_DESIGNS } from "./rabbitmq-designs.js";

export const DESIGNS: readonly Design[] = [...KAFKA_DESIGNS, ...RABBITMQ_DESIGNS];

/** Lines announced in the report with their expectation, to be measured once their model exists. */
export const PLANNED_DESIGNS: readonly PlannedDesign[] = [
  {
    id: "rabbitmq-mirrored-all",
    label: "RabbitMQ mirrored queue ha-mode: all",
    system: "rabbitmq",
    expectation:
      "Classic mirroring with ha-mode: all puts a mirror of the queue on every node, and in RabbitMQ 3.8–3.13 every published message goes round GM's ring (master, each mirror, back to the master: N hops) " +
      "and the publishing channel sends its own copy to each mirror: replication bytes per produced byte of about 2N, growing linearly with N (claim C7). One queue is one master process on one node, " +
      "so adding nodes adds copies, not capacity: the maximum throughput of the queue stays flat or falls as N grows.",
  },
  {
    id: "rabbitmq-quorum",
    label: "RabbitMQ quorum queues",
    system: "rabbitmq",
    expectation:
      "A quorum queue is a Raft group: its leader sends every message to each other member and confirms once a majority has it, so the bytes per " +
      "produced byte are the group size − 1 (N − 1 when the group spans the cluster, 2 with a group of 3). One queue's throughput is bounded by its " +
      "leader's node (one Erlang process), so it does not grow with N; only more queues spread over the nodes add capacity.",
  },
];

/** Planned designs not yet in DESIGNS. */
export function plannedOnly(designs: readonly Pick<Design, "id">[] = DESIGNS): PlannedDesign[] {
  const measured = new Set(designs.map((design) => design.id));
  return PLANNED_DESIGNS.filter((planned) => !measured.has(planned.id));
}

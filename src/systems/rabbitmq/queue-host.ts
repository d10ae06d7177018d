/**
 * What a queue process (classic master, mirror, quorum member) needs from
 * the node it runs on: its clock and timers, its disk, the cluster view,
 * and a way to send to other nodes (or to itself: local messages go through
 * the same dispatch, one event later, never re-entrantly).
 */
import type { ClusterLog } from "../../world/cluster-log.js";
import type { RngStream } from "../../kernel/index.js";
import type { Trace } from "../../kernel/index.js";
import type { Disk } from "../../world/disk.js";
import type { WorldNode } from "../../world/node.js";
import type { RabbitMqConfig } from "./config.js";
import type { RabbitCpuCosts } from "./cpu-costs.js";
import type { ErlangSchedulers } from "./erlang-schedulers.js";
import type { NodeMessage } from "./protocol.js";
import type { QueueRecord } from "./queue-record.js";

export interface QueueHost {
  readonly node: WorldNode;
  readonly disk: Disk;
  readonly config: RabbitMqConfig;
  /** CPU costs of this node's processes (cpu-costs.ts). */
  readonly cpu: RabbitCpuCosts;
  /** This node's Erlang schedulers, on which every process runs its work. */
  readonly schedulers: ErlangSchedulers;
  readonly trace: Trace;
  /** The run's cluster log (src/world/cluster-log.ts): what the reports' timeline shows. */
  readonly clusterLog: ClusterLog;
  /** The cluster's node names, in cluster order. */
  readonly clusterNodes: readonly string[];
  send(to: string, message: NodeMessage): boolean;
  /** This node's view: is the node reachable (always true for itself)? */
  isNodeUp(name: string): boolean;
  /** Replaces this node's record of a queue and gossips it to every reachable node. */
  publishRecord(record: QueueRecord): void;
  record(queue: string): QueueRecord;
  rng(name: string): RngStream;
  /** A coverage mark. */
  mark(name: string): void;
}

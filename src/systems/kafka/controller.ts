/**
 * The Kafka controller (KRaft's active controller; ZooKeeper + controller
 * broker before it), as one node.
 *
 * It knows which brokers are alive from their heartbeats on the control
 * plane (`broker.session.timeout.ms`), elects partition leaders from the ISR
 * (or from any live replica with `unclean.leader.election.enable`), bumps
 * leader and partition epochs, applies ISR changes that leaders request
 * (AlterPartition), and pushes partition states to every broker.
 *
 * Simplification: the controller's metadata stands for a replicated,
 * always-correct quorum: it survives the controller node's crashes (while the
 * node is down nothing is elected, as with a quorum that lost its majority).
 */
import { assert } from "../../kernel/index.js";
import type { Marks } from "../../kernel/index.js";
import type { Trace } from "../../kernel/index.js";
import type { ConnectionHandler, Endpoint } from "../../world/connection.js";
import type { NodeSoftware, WorldNode } from "../../world/node.js";
import type { World } from "../../world/world.js";
import { msToNs, type KafkaBrokerConfig } from "./config.js";
import {
  CONTROLLER_PORT,
  wireBytesOf,
  type AlterPartitionRequest,
  type AlterPartitionResponse,
  type KafkaMessage,
  type PartitionState,
} from "./protocol.js";

interface BrokerSession {
  brokerEpoch: number;
  lastHeartbeatNs: number;
  isFenced: boolean;
  /** In controlled shutdown (KRaft's InControlledShutdown): out of every ISR it can leave, never elected, not yet fenced. */
  isShuttingDown: boolean;
  endpoint: Endpoint | null;
}

export class KafkaController implements NodeSoftware {
  private node!: WorldNode;
  private readonly world: World;
  private readonly config: KafkaBrokerConfig;
  private readonly trace: Trace;
  private readonly marks: Marks;
  /** Partition states in topic-partition creation order: the order of every push and election. */
  private readonly states: PartitionState[];
  private readonly sessions = new Map<string, BrokerSession>();
  private readonly handler: ConnectionHandler;
  private readonly onSessionCheckBound = (): void => this.onSessionCheck();

  constructor(options: { world: World; config: KafkaBrokerConfig; brokers: readonly string[]; partitions: PartitionState[] }) {
    this.world = options.world;
    this.config = options.config;
    this.trace = options.world.kernel.trace;
    this.marks = options.world.kernel.marks;
    this.states = options.partitions;
    // Every broker starts fenced: it must heartbeat to be eligible.
    for (const broker of options.brokers) this.sessions.set(broker, { brokerEpoch: -1, lastHeartbeatNs: 0, isFenced: true, isShuttingDown: false, endpoint: null });
    this.handler = {
      onData: (endpoint, payload) => this.onRequest(endpoint, payload as KafkaMessage),
      onClose: (endpoint) => this.onBrokerClose(endpoint),
    };
  }

  /** The current states (for tests, checkers and liveness). */
  partitionStates(): readonly PartitionState[] {
    return this.states;
  }

  isFenced(broker: string): boolean {
    return this.sessions.get(broker)?.isFenced ?? true;
  }

  /** May lead and join ISRs: unfenced and not shutting down. */
  private isEligible(broker: string): boolean {
    const session = this.sessions.get(broker);
    return session !== undefined && !session.isFenced && !session.isShuttingDown;
  }

  start(node: WorldNode): void {
    this.node = node;
    for (const session of this.sessions.values()) session.endpoint = null;
    this.world.net.listen(node, CONTROLLER_PORT, { accept: () => this.handler });
    node.after(this.sessionCheckIntervalNs(), this.onSessionCheckBound);
  }

  private sessionCheckIntervalNs(): number {
    return Math.max(1, Math.floor(msToNs(this.config["broker.heartbeat.interval.ms"]) / 2));
  }

  private onRequest(endpoint: Endpoint, message: KafkaMessage): void {
    switch (message.kind) {
      case "broker-heartbeat":
        this.onHeartbeat(endpoint, message.correlationId, message.broker, message.brokerEpoch, message.wantShutDown);
        return;
      case "alter-partition":
        this.reply(endpoint, this.onAlterPartition(message));
        return;
      default:
        assert(false, `controller got unexpected ${message.kind}`);
    }
  }

  private onHeartbeat(endpoint: Endpoint, correlationId: number, broker: string, brokerEpoch: number, wantShutDown: boolean): void {
    const session = this.sessions.get(broker);
    assert(session !== undefined, `heartbeat from unknown broker ${broker}`);
    const isNewIncarnation = brokerEpoch !== session.brokerEpoch;
    // A broker that restarted before its session expired comes back with a new
    // broker epoch: its old incarnation is fenced first (its partitions get new
    // leaders, it leaves the ISRs), as the controller does on re-registration.
    // Letting it resume leadership would hand the partition to a log that may
    // have lost its tail.
    if (isNewIncarnation && !session.isFenced && this.config["mqsim.reregistration"] === "fence") {
      this.marks.hit("kafka.broker.reregistered");
      this.fence(broker, session);
    }
    // A new connection (the controller or the broker restarted, or the link
    // broke) may have missed pushes: like a KRaft broker replaying the metadata
    // log, it gets the full picture. Found by the consumer's stress runs.
    const isNewConnection = session.endpoint !== endpoint;
    session.lastHeartbeatNs = this.node.now;
    session.endpoint = endpoint;
    session.brokerEpoch = brokerEpoch;
    if (isNewIncarnation) session.isShuttingDown = false;
    // Controlled shutdown (ReplicationControlManager.handleBrokerInControlledShutdown): leave every
    // ISR it can, hand its leaderships to other in-sync replicas, before the process exits.
    if (wantShutDown && !session.isShuttingDown && !session.isFenced) {
      session.isShuttingDown = true;
      this.marks.hit("kafka.broker.controlled-shutdown");
      this.trace.record("kafka.broker-shutting-down", broker, brokerEpoch);
      this.removeFromPartitions(broker);
    }
    const shouldShutDown = session.isShuttingDown && !this.states.some((state) => state.leader === broker);
    this.reply(endpoint, { kind: "broker-heartbeat-response", correlationId, isFenced: false, shouldShutDown });
    if (session.isFenced || isNewIncarnation) {
      session.isFenced = false;
      this.trace.record("kafka.broker-unfenced", broker, brokerEpoch);
      this.world.clusterLog.record("node-up", "", broker, -1, "unfenced by the controller");
      this.electOfflinePartitions();
    }
    if (session.isFenced === false && (isNewConnection || isNewIncarnation)) {
      this.reply(endpoint, { kind: "partition-state", states: this.states.map(copyState) });
    }
  }

  private onBrokerClose(endpoint: Endpoint): void {
    for (const session of this.sessions.values()) if (session.endpoint === endpoint) session.endpoint = null;
  }

  private onSessionCheck(): void {
    const timeoutNs = msToNs(this.config["broker.session.timeout.ms"]);
    for (const [broker, session] of this.sessions) {
      if (!session.isFenced && this.node.now - session.lastHeartbeatNs > timeoutNs) this.fence(broker, session);
    }
    this.node.after(this.sessionCheckIntervalNs(), this.onSessionCheckBound);
  }

  private fence(broker: string, session: BrokerSession): void {
    session.isFenced = true;
    this.marks.hit("kafka.broker.fenced");
    this.trace.record("kafka.broker-fenced", broker, session.brokerEpoch);
    this.world.clusterLog.record("node-down", "", broker, -1, "fenced by the controller");
    this.removeFromPartitions(broker);
  }

  /** A broker leaves: out of every ISR that keeps a member (KIP-841), its leaderships to others. */
  private removeFromPartitions(broker: string): void {
    const changed: PartitionState[] = [];
    for (const state of this.states) {
      if (!state.replicas.includes(broker)) continue;
      let isChanged = false;
      // KIP-841: a fenced broker leaves every ISR, but an ISR never becomes empty.
      if (state.isr.includes(broker) && state.isr.length > 1) {
        state.isr = state.isr.filter((member) => member !== broker);
        this.world.clusterLog.record("in-sync", state.topicPartition, broker, state.leaderEpoch, `ISR ${state.isr.join(",")} (${broker} removed by the controller)`);
        isChanged = true;
      }
      if (state.leader === broker) {
        this.marks.hit("kafka.leader.failover");
        this.elect(state);
        isChanged = true;
      }
      if (isChanged) {
        state.partitionEpoch++;
        changed.push(state);
      }
    }
    this.push(changed);
  }

  /** Who may lead now: an unfenced ISR member, else (unclean) any unfenced replica, else nobody. */
  private chooseLeader(state: PartitionState): { leader: string | null; isUnclean: boolean } {
    // A partition that never had a leader is being created: Kafka makes the
    // preferred replica (the first in the assignment) its leader, which is what
    // spreads leadership evenly. Without this the first broker to register
    // would lead everything.
    if (state.leaderEpoch === 0) {
      const preferred = state.replicas[0]!;
      return { leader: this.isEligible(preferred) ? preferred : null, isUnclean: false };
    }
    const clean = state.replicas.find((replica) => state.isr.includes(replica) && this.isEligible(replica));
    if (clean !== undefined) return { leader: clean, isUnclean: false };
    if (!this.config["unclean.leader.election.enable"]) return { leader: null, isUnclean: false };
    const any = state.replicas.find((replica) => this.isEligible(replica));
    return { leader: any ?? null, isUnclean: any !== undefined };
  }

  /** Replaces a partition's leader (possibly with nobody: the partition goes offline). */
  private elect(state: PartitionState): void {
    const { leader, isUnclean } = this.chooseLeader(state);
    if (isUnclean) {
      this.marks.hit("kafka.election.unclean");
      state.isr = [leader!];
    }
    if (leader === null) this.marks.hit("kafka.partition.offline");
    else this.marks.hit("kafka.election.leader-change");
    state.leader = leader;
    state.leaderEpoch++;
    this.trace.record("kafka.elect", state.topicPartition, state.leaderEpoch, leader === null ? -1 : state.replicas.indexOf(leader));
    const detail = leader === null ? "offline: no eligible replica" : isUnclean ? "unclean election (out-of-sync replica)" : state.leaderEpoch === 1 ? "preferred replica" : "clean election";
    this.world.clusterLog.record("leader", state.topicPartition, leader ?? "", state.leaderEpoch, detail);
  }

  /** After a broker comes back, partitions without a leader may get one. */
  private electOfflinePartitions(): void {
    const changed: PartitionState[] = [];
    for (const state of this.states) {
      if (state.leader !== null && this.isEligible(state.leader)) continue;
      if (this.chooseLeader(state).leader === null) continue;
      this.elect(state);
      state.partitionEpoch++;
      changed.push(state);
    }
    this.push(changed);
  }

  private onAlterPartition(request: AlterPartitionRequest): AlterPartitionResponse {
    const state = this.states.find((candidate) => candidate.topicPartition === request.topicPartition);
    assert(state !== undefined, `AlterPartition for unknown ${request.topicPartition}`);
    const session = this.sessions.get(request.broker);
    const reject = (error: AlterPartitionResponse["error"]): AlterPartitionResponse => ({ kind: "alter-partition-response", topicPartition: state.topicPartition, error, state: copyState(state) });
    if (session === undefined || session.isFenced || session.brokerEpoch !== request.brokerEpoch) return reject("STALE_BROKER_EPOCH");
    if (state.leader !== request.broker || state.leaderEpoch !== request.leaderEpoch) return reject("FENCED_LEADER_EPOCH");
    if (state.partitionEpoch !== request.partitionEpoch) return reject("FENCED_LEADER_EPOCH");
    assert(request.newIsr.includes(request.broker), "a leader's ISR must contain the leader");
    // KIP-841: only unfenced brokers may join the ISR (nor one shutting down).
    const newIsr = request.newIsr.filter((member) => member === request.broker || state.isr.includes(member) || this.isEligible(member));
    if (newIsr.length < state.isr.length) this.marks.hit("kafka.isr.shrink");
    if (newIsr.length > state.isr.length) this.marks.hit("kafka.isr.expand");
    state.isr = state.replicas.filter((replica) => newIsr.includes(replica));
    state.partitionEpoch++;
    this.trace.record("kafka.isr", state.topicPartition, state.partitionEpoch, state.isr.length);
    this.world.clusterLog.record("in-sync", state.topicPartition, request.broker, state.leaderEpoch, `ISR ${state.isr.join(",")}`);
    this.push([state]);
    return { kind: "alter-partition-response", topicPartition: state.topicPartition, error: "NONE", state: copyState(state) };
  }

  /** Sends changed states to every connected broker (LeaderAndIsr + UpdateMetadata). */
  private push(changed: PartitionState[]): void {
    if (changed.length === 0) return;
    const states = changed.map(copyState);
    for (const session of this.sessions.values()) {
      if (session.endpoint !== null && session.endpoint.isOpen) this.reply(session.endpoint, { kind: "partition-state", states });
    }
  }

  private reply(endpoint: Endpoint, message: KafkaMessage): void {
    endpoint.send(message, wireBytesOf(message));
  }
}

export function copyState(state: PartitionState): PartitionState {
  return { ...state, isr: [...state.isr], replicas: [...state.replicas] };
}

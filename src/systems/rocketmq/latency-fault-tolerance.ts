/**
 * A producer's latency fault tolerance (sendLatencyFaultEnable): after each
 * attempt the producer notes how long its broker took, and a broker that was
 * slow or failed is passed over for a while when choosing queues.
 *
 * Sources (apache/rocketmq 4.9.4, client/src/main/java/org/apache/rocketmq/client/latency/):
 * - MQFaultStrategy.java: latencyMax {50, 100, 550, 1000, 2000, 3000, 15000}
 *   ms maps to notAvailableDuration {0, 0, 30000, 60000, 120000, 180000,
 *   600000} ms; an attempt that threw (isolation) counts as 30,000 ms, so
 *   its broker is passed over for 10 minutes. selectOneMessageQueue: the
 *   thread's counter is advanced once, then queues are tried from there in
 *   turn for one whose broker is available; failing that, pickOneAtLeast
 *   names the "not best" broker and one of its queues is taken (a broker
 *   with no write queue left is removed from the table), else a plain
 *   choice.
 * - LatencyFaultToleranceImpl.java: one item per broker (its last latency and
 *   when it is available again); pickOneAtLeast sorts the items available
 *   first, then by latency, then by when they are available, and takes one
 *   of the better half in turn (whichItemWorst, a ThreadLocalIndex).
 * - DefaultMQProducerImpl.sendDefaultImpl: updateFaultItem after every
 *   attempt, isolation true for RemotingException, MQClientException and
 *   MQBrokerException.
 */
import type { RngStream } from "../../kernel/index.js";

const NS_PER_MS = 1_000_000;
const LATENCY_MAX_MS = [50, 100, 550, 1_000, 2_000, 3_000, 15_000] as const;
const NOT_AVAILABLE_DURATION_MS = [0, 0, 30_000, 60_000, 120_000, 180_000, 600_000] as const;
/** The latency an attempt that threw counts as (updateFaultItem's isolation). */
const ISOLATION_LATENCY_MS = 30_000;
/** ThreadLocalIndex's POSITIVE_MASK. */
const POSITIVE_MASK = 0x7fffffff;

interface FaultItem {
  readonly name: string;
  latencyMs: number;
  /** When the broker is available again (startTimestamp). */
  availableAtNs: number;
}

/** MQFaultStrategy.computeNotAvailableDuration. */
export function notAvailableDurationMs(latencyMs: number): number {
  for (let i = LATENCY_MAX_MS.length - 1; i >= 0; i--) if (latencyMs >= LATENCY_MAX_MS[i]!) return NOT_AVAILABLE_DURATION_MS[i]!;
  return 0;
}

export class LatencyFaultTolerance {
  private readonly items = new Map<string, FaultItem>();
  private whichItemWorst = -1;

  constructor(private readonly rng: RngStream) {}

  /** updateFaultItem: an attempt on `brokerName` took `latencyNs`; `isolation` when it threw. */
  update(brokerName: string, latencyNs: number, isolation: boolean, nowNs: number): void {
    const latencyMs = isolation ? ISOLATION_LATENCY_MS : Math.floor(latencyNs / NS_PER_MS);
    const availableAtNs = nowNs + notAvailableDurationMs(latencyMs) * NS_PER_MS;
    const item = this.items.get(brokerName);
    if (item === undefined) {
      this.items.set(brokerName, { name: brokerName, latencyMs, availableAtNs });
      return;
    }
    item.latencyMs = latencyMs;
    item.availableAtNs = availableAtNs;
  }

  isAvailable(brokerName: string, nowNs: number): boolean {
    const item = this.items.get(brokerName);
    return item === undefined || nowNs >= item.availableAtNs;
  }

  remove(brokerName: string): void {
    this.items.delete(brokerName);
  }

  /** pickOneAtLeast: one of the better half of the brokers it has items for, in turn (null when it has none). */
  pickOneAtLeast(nowNs: number): string | null {
    if (this.items.size === 0) return null;
    // Map order is insertion order (the real table is a ConcurrentHashMap: its order is the JVM's); the sort decides.
    const sorted = [...this.items.values()].sort((a, b) => compareItems(a, b, nowNs));
    const half = Math.floor(sorted.length / 2);
    if (half <= 0) return sorted[0]!.name;
    return sorted[this.nextWorst() % half]!.name;
  }

  private nextWorst(): number {
    if (this.whichItemWorst < 0) this.whichItemWorst = this.rng.u32() & POSITIVE_MASK;
    this.whichItemWorst = (this.whichItemWorst + 1) & POSITIVE_MASK;
    return this.whichItemWorst;
  }
}

/** FaultItem.compareTo: available first, then the lower latency, then the earlier availability; the name breaks ties. */
function compareItems(a: FaultItem, b: FaultItem, nowNs: number): number {
  const aAvailable = nowNs >= a.availableAtNs;
  const bAvailable = nowNs >= b.availableAtNs;
  if (aAvailable !== bAvailable) return aAvailable ? -1 : 1;
  if (a.latencyMs !== b.latencyMs) return a.latencyMs - b.latencyMs;
  if (a.availableAtNs !== b.availableAtNs) return a.availableAtNs - b.availableAtNs;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * Builds histories by hand for checker tests, reading like a script. Unless
 * moved with `at`, event number i happens at i ms, so tests can assert
 * eventIndex and timeNs without bookkeeping.
 */
import { History, type MessageId, type SendOutcome } from "../history/history.js";
import { NS_PER_MS, type TimeNs } from "../kernel/time.js";

export class HistoryScript {
  readonly history = new History();
  private nowNs: TimeNs = 0;

  /** Moves the clock (never backwards) for the next event. */
  at(timeNs: TimeNs): this {
    this.nowNs = timeNs;
    return this;
  }

  /** Reserves ids and records a send; returns the first id. */
  send(client: string, count: number): MessageId {
    const idFirst = this.history.reserveIds(count);
    this.record({ type: "send", timeNs: this.nowNs, client, idFirst, count });
    return idFirst;
  }

  /** Records a send-result; returns its event index. */
  result(
    client: string,
    idFirst: MessageId,
    count: number,
    outcome: SendOutcome,
    stream = "s",
    position = -1,
  ): number {
    const error = outcome === "ok" ? "" : outcome === "error" ? "NOT_ENOUGH_REPLICAS" : "TIMEOUT";
    return this.record({ type: "send-result", timeNs: this.nowNs, client, idFirst, count, outcome, stream, position, error });
  }

  /** A send acknowledged at once at (stream, position); returns the first id. */
  produce(client: string, stream: string, position: number, count: number): MessageId {
    const idFirst = this.send(client, count);
    this.result(client, idFirst, count, "ok", stream, position);
    return idFirst;
  }

  /** Records a delivery; returns its event index. */
  deliver(client: string, group: string, stream: string, position: number, idFirst: MessageId, count: number): number {
    return this.record({ type: "deliver", timeNs: this.nowNs, client, group, stream, position, idFirst, count });
  }

  effect(client: string, group: string, idFirst: MessageId, count: number): number {
    return this.record({ type: "effect", timeNs: this.nowNs, client, group, idFirst, count });
  }

  opFailed(client: string, op: "send" | "receive"): number {
    return this.record({ type: "op-failed", timeNs: this.nowNs, client, op, error: "TIMEOUT" });
  }

  opOk(client: string, op: "send" | "receive"): number {
    return this.record({ type: "op-ok", timeNs: this.nowNs, client, op });
  }

  commit(client: string, group: string, stream: string, position: number): number {
    return this.record({ type: "commit", timeNs: this.nowNs, client, group, stream, position });
  }

  private record(event: Parameters<History["record"]>[0]): number {
    this.history.record(event);
    this.nowNs += NS_PER_MS;
    return this.history.length - 1;
  }
}

/** The time of event number `eventIndex` in a script that never called `at`. */
export function scriptTimeNs(eventIndex: number): TimeNs {
  return eventIndex * NS_PER_MS;
}

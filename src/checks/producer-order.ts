/**
 * Walks one sequence of delivered messages (a group's view of a stream in
 * position order, or one consumer's deliveries in arrival order) and finds
 * where one producer's ids go down. Ids are assigned in send order, so a
 * producer's ids must increase along the sequence. Each inversion is an
 * adjacent descent in that producer's subsequence: one message moved far
 * ahead counts once, not once per message it jumped over. A message seen
 * earlier in the same walk is skipped: repeats are duplicated.ts's business.
 */
import type { MessageId } from "../history/history.js";
import { isInIdRange, type SendIndex } from "./send-index.js";

export interface Inversion {
  producer: number;
  /** The earlier-sent message, found later in the sequence. */
  id: MessageId;
  position: number;
  eventIndex: number;
  /** The later-sent message that came before it. */
  previousId: MessageId;
  previousPosition: number;
  previousEventIndex: number;
}

export class ProducerOrder {
  private readonly lastId: Float64Array;
  private readonly lastPosition: Float64Array;
  private readonly lastEvent: Int32Array;
  /** stamp[id] === walk: already seen in this walk. */
  private readonly stamp: Uint32Array;
  private walk = 0;
  /** Messages examined (first sighting in a walk). */
  examined = 0;

  constructor(private readonly sends: SendIndex) {
    const producers = sends.producers.size;
    this.lastId = new Float64Array(producers);
    this.lastPosition = new Float64Array(producers);
    this.lastEvent = new Int32Array(producers);
    this.stamp = new Uint32Array(sends.idLimit);
  }

  /** Starts a new sequence. */
  begin(): void {
    this.walk++;
    this.lastId.fill(-1);
  }

  /** The next message of the sequence; returns the inversion it closes, if any. */
  step(id: MessageId, position: number, eventIndex: number): Inversion | null {
    if (!isInIdRange(this.sends, id) || this.stamp[id] === this.walk) return null;
    this.stamp[id] = this.walk;
    this.examined++;
    const producer = this.sends.producer[id]!;
    if (producer === -1) return null;
    const previousId = this.lastId[producer]!;
    const inversion =
      previousId > id
        ? {
            producer,
            id,
            position,
            eventIndex,
            previousId,
            previousPosition: this.lastPosition[producer]!,
            previousEventIndex: this.lastEvent[producer]!,
          }
        : null;
    this.lastId[producer] = id;
    this.lastPosition[producer] = position;
    this.lastEvent[producer] = eventIndex;
    return inversion;
  }
}

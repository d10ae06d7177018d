/**
 * Collects message ids into runs of consecutive ids for a Violation, keeping
 * only the first few runs added (and counting every id added), so a violation
 * over a million messages stays small.
 */
import type { MessageId } from "../history/history.js";
import type { IdRange } from "./violation.js";

export const ID_RANGES_KEPT = 8;

export class IdRanges {
  private readonly kept: IdRange[] = [];
  private total = 0;

  constructor(private readonly limit: number = ID_RANGES_KEPT) {}

  /** How many ids were added, kept or not. */
  get count(): number {
    return this.total;
  }

  /** Adds one id; ids that extend the last run merge into it. */
  add(id: MessageId): void {
    this.addRange(id, 1);
  }

  addRange(idFirst: MessageId, count: number): void {
    this.total += count;
    const last = this.kept[this.kept.length - 1];
    if (last !== undefined && last.idFirst + last.count === idFirst) last.count += count;
    else if (this.kept.length < this.limit) this.kept.push({ idFirst, count });
  }

  /** The kept ranges, ascending and merged where they touch or overlap. */
  ranges(): IdRange[] {
    const sorted = this.kept.map((r) => ({ ...r })).sort((a, b) => a.idFirst - b.idFirst);
    const merged: IdRange[] = [];
    for (const r of sorted) {
      const last = merged[merged.length - 1];
      if (last === undefined || r.idFirst > last.idFirst + last.count) merged.push(r);
      else last.count = Math.max(last.count, r.idFirst + r.count - last.idFirst);
    }
    return merged;
  }

  /** "5..9, 12 (+3 more)", for messages. */
  describe(): string {
    const shown = this.ranges().map((r) => (r.count === 1 ? `${r.idFirst}` : `${r.idFirst}..${r.idFirst + r.count - 1}`));
    let listed = 0;
    for (const r of this.kept) listed += r.count;
    const more = this.total - listed;
    return more > 0 ? `${shown.join(", ")} (+${more} more)` : shown.join(", ");
  }
}

/**
 * Coverage marks: named counters for rare branches (`"kafka.isr.shrink"`).
 * A property sweep asserts that the interesting marks were hit, so a sweep
 * that never exercised failover cannot pass silently (TigerBeetle's marks,
 * FoundationDB's CODE_PROBE).
 */
export class Marks {
  private readonly counts = new Map<string, number>();

  hit(name: string): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
  }

  count(name: string): number {
    return this.counts.get(name) ?? 0;
  }

  /** Every mark with its count, sorted by name (code-unit order, never locale order). */
  entries(): [string, number][] {
    return [...this.counts.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  /** Adds another run's marks into these (for sweeps over many runs). */
  merge(other: Marks): void {
    for (const [name, count] of other.entries()) this.counts.set(name, (this.counts.get(name) ?? 0) + count);
  }
}

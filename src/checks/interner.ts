/**
 * Numbers names (groups, streams, clients) 0, 1, 2, … in the order they are
 * first seen, so checkers can index typed arrays and plain arrays by them and
 * iterate in a program-defined order.
 */
export class Interner {
  private readonly indexOf = new Map<string, number>();
  private readonly list: string[] = [];

  get size(): number {
    return this.list.length;
  }

  /** The name's number, numbering it now if it is new. */
  intern(name: string): number {
    const known = this.indexOf.get(name);
    if (known !== undefined) return known;
    const index = this.list.length;
    this.indexOf.set(name, index);
    this.list.push(name);
    return index;
  }

  /** The name's number, or -1 if it was never interned. */
  find(name: string): number {
    return this.indexOf.get(name) ?? -1;
  }

  name(index: number): string {
    const name = this.list[index];
    if (name === undefined) throw new RangeError(`no name numbered ${index}`);
    return name;
  }

  get names(): readonly string[] {
    return this.list;
  }
}

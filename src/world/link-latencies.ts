/**
 * One-way propagation latency per directed link: a distribution (the
 * network's default or a per-link override) and the link's own RNG stream,
 * `net:latency:<from>-><to>`, created on first use so that links that carry
 * nothing draw nothing.
 */
import { distribution, type Distribution, type DistributionSpec } from "../kernel/distribution.js";
import type { Rng, RngStream } from "../kernel/rng.js";
import type { WorldNode } from "./node.js";

interface LinkLatency {
  distribution: Distribution;
  rng: RngStream | null;
}

export class LinkLatencies {
  private readonly links: (LinkLatency | null)[];
  private readonly defaultSpec: DistributionSpec;

  constructor(
    private readonly nodes: readonly WorldNode[],
    private readonly rng: Rng,
    defaultSpec: DistributionSpec,
    overrides: readonly { from: number; to: number; latency: DistributionSpec }[],
  ) {
    this.defaultSpec = defaultSpec;
    // Build the default once so a bad spec fails at construction, not at the first packet.
    distribution(defaultSpec);
    this.links = new Array<LinkLatency | null>(nodes.length * nodes.length).fill(null);
    for (const link of overrides) {
      this.links[link.from * nodes.length + link.to] = { distribution: distribution(link.latency), rng: null };
    }
  }

  draw(src: number, dst: number): number {
    const cell = src * this.nodes.length + dst;
    let link = this.links[cell] ?? null;
    if (link === null) {
      link = { distribution: distribution(this.defaultSpec), rng: null };
      this.links[cell] = link;
    }
    if (link.rng === null) link.rng = this.rng.stream(`net:latency:${this.nodes[src]!.name}->${this.nodes[dst]!.name}`);
    return link.distribution.sample(link.rng);
  }
}

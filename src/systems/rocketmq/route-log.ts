/**
 * When the NameServers dropped and took back each broker, and when each
 * client's route changed: the plain data behind claim C11's "stale routes"
 * (a client keeps sending to, and pulling from, a broker the NameServers
 * have dropped until its next route poll, every pollNameServerInterval).
 */
import { compareStrings } from "../../kernel/index.js";

interface BrokerEvent {
  broker: string;
  atNs: number;
}

interface ClientRoute {
  client: string;
  atNs: number;
  /** Every broker node the route names. */
  brokers: ReadonlySet<string>;
}

export class RouteLog {
  private readonly removals: BrokerEvent[] = [];
  private readonly registrations: BrokerEvent[] = [];
  private readonly routes: ClientRoute[] = [];

  brokerRemoved(broker: string, atNs: number): void {
    this.removals.push({ broker, atNs });
  }

  brokerRegistered(broker: string, atNs: number): void {
    this.registrations.push({ broker, atNs });
  }

  routeSeen(client: string, atNs: number, brokers: readonly string[]): void {
    this.routes.push({ client, atNs, brokers: new Set(brokers) });
  }

  /**
   * The longest a client kept a route naming a broker after a NameServer had
   * dropped it: from the drop to the client's first route without it, or to
   * the broker's next registration if that came first (0 when no broker was
   * dropped while a client held a route naming it).
   */
  staleRouteNsMax(): number {
    let longest = 0;
    const clients = [...new Set(this.routes.map((route) => route.client))].sort(compareStrings);
    for (const removal of this.removals) {
      const back = this.registrations.find((registration) => registration.broker === removal.broker && registration.atNs > removal.atNs)?.atNs ?? Number.POSITIVE_INFINITY;
      for (const client of clients) longest = Math.max(longest, this.staleNs(client, removal, back));
    }
    return longest;
  }

  /** How long `client` went on naming the dropped broker (0 if its route did not name it at the drop). */
  private staleNs(client: string, removal: BrokerEvent, backNs: number): number {
    let held: ClientRoute | null = null;
    let cleared = Number.POSITIVE_INFINITY;
    for (const route of this.routes) {
      if (route.client !== client) continue;
      if (route.atNs <= removal.atNs) held = route;
      else if (!route.brokers.has(removal.broker)) {
        cleared = route.atNs;
        break;
      }
    }
    if (held === null || !held.brokers.has(removal.broker)) return 0;
    const end = Math.min(cleared, backNs);
    return Number.isFinite(end) ? end - removal.atNs : 0;
  }
}

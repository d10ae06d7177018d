/** The Kafka lines: RF 3 with P = N, 4N and 16N partitions spread over all N brokers. */
import type { Design } from "./design.js";
import { measureKafkaReplicationCost } from "./kafka-replication-cost.js";
import { measureKafkaSaturation } from "./kafka-saturation.js";
import { kafkaSettings } from "./kafka-setup.js";

const EXPECTATION =
  "Each partition's leader sends every record to its RF − 1 = 2 followers whatever N is, so replication costs about 2 bytes per produced byte " +
  "(a little more on the wire: request headers and framing) and stays flat as N grows (claim C9). Leaders and followers are spread over all brokers, " +
  "and each producer talks to every broker, so the maximum throughput grows about linearly with N. What caps each broker: its NIC ingress (it receives each byte it leads " +
  "once from a producer and each byte it follows once more from its leader), or, before that, each producer connection's acks=all round trip: the broker handles one " +
  "request per connection at a time, and each waits for the followers to fetch and append it (their CPU, calibrated on Kreps 2014, src/systems/kafka/cpu-costs.ts).";

function kafkaDesign(partitionsPerBroker: number): Design {
  const p = partitionsPerBroker === 1 ? "N" : `${partitionsPerBroker}N`;
  return {
    id: `kafka-rf3-p-${partitionsPerBroker}n`,
    label: `Kafka RF 3, P = ${p}`,
    system: "kafka",
    settings: kafkaSettings(partitionsPerBroker),
    expectation:
      EXPECTATION +
      (partitionsPerBroker === 1
        ? " Each broker's replica fetcher sends one FetchRequest at a time to each leader broker, for every partition it follows there."
        : ` With ${partitionsPerBroker} partitions per broker, each broker follows ${2 * partitionsPerBroker} partitions, still through one fetcher per leader broker and one request at a time: ` +
          "more partitions make bigger requests and more small batches, not more replication in flight, so the line should not rise above P = N."),
    measure: (brokers, options) => {
      const partitions = partitionsPerBroker * brokers;
      return {
        brokers,
        partitions,
        replication: measureKafkaReplicationCost(brokers, partitions, options),
        maxThroughput: measureKafkaSaturation(brokers, partitions, options),
      };
    },
  };
}

export const KAFKA_DESIGNS: readonly Design[] = [kafkaDesign(1), kafkaDesign(4), kafkaDesign(16)];

/**
 * The History's name for a RocketMQ message queue: where order is defined
 * and a queueOffset means something. The producer's acknowledgements, the
 * consumers' deliveries and the run's final read must all name a queue the
 * same way, or the checks would compare positions of different streams.
 */

/** "<topic>-<brokerName>-<queueId>": a queue is one broker group's, so the group's name is part of it. */
export function rocketStream(topic: string, brokerName: string, queueId: number): string {
  return `${topic}-${brokerName}-${queueId}`;
}

/**
 * What a RocketMQ broker's threads spend per unit of work: the one place the
 * model's RocketMQ CPU costs live.
 *
 * - A send request is decoded, checked and answered on a SendMessageProcessor
 *   pool thread (sendMessageThreadPoolNums: 1 in 4.x, min(cores, 4) in 5.x),
 *   and the commit log append itself runs under the put lock
 *   (CommitLog.putMessageLock), one put at a time whatever the pool size.
 * - A pull is served on a PullMessageProcessor thread (16 + 2 × cores of
 *   them: in the model pulls never queue for one) for its request and per
 *   message it copies out.
 *
 * Fitted once, to one published figure: RocketMQ issue #1515 (apache/rocketmq,
 * 2019: Xeon Gold 5118, PCIe SSD, 4.x, ASYNC_MASTER) measured 108k sends/s
 * with one send thread, about 9.3 µs per send on that thread; the split
 * between request handling and the locked append, and the per-byte cost
 * (the body CRC and the copy into the mapped file), are estimates. Never
 * tune these to make another chart come out.
 */
export interface RocketCpuCosts {
  /** SendMessageProcessor, per request: decode the header, check the topic and queue, build the message, answer. Fitted with appendMessageNs. */
  readonly sendRequestNs: number;
  /** The put lock, per message appended: encode into the mapped file, assign offsets. Estimate. */
  readonly appendMessageNs: number;
  /** The put lock, per body byte (CRC32 of the body and the copy). Estimate: ~2 GB/s. */
  readonly appendByteNs: number;
  /** PullMessageProcessor, per pull request (decode, consume queue lookup, answer). Estimate. */
  readonly pullRequestNs: number;
  /** PullMessageProcessor, per message handed out (a commit log lookup; the bytes go by zero-copy transfer). Estimate. */
  readonly pullMessageNs: number;
}

export const DEFAULT_ROCKET_CPU_COSTS: RocketCpuCosts = Object.freeze({
  sendRequestNs: 6_000,
  appendMessageNs: 3_000,
  appendByteNs: 0.5,
  pullRequestNs: 5_000,
  pullMessageNs: 300,
});

/**
 * Growing typed arrays (the event queue's, a Kafka log's digest column): a
 * grown array keeps its contents. Apart from the queue so that the heap's
 * ordering logic stays one concept per file.
 */

export function nextPowerOfTwo(value: number): number {
  let power = 1;
  while (power < value) power *= 2;
  return power;
}

export function growFloat64(array: Float64Array, capacity: number): Float64Array {
  const grown = new Float64Array(capacity);
  grown.set(array);
  return grown;
}

export function growInt32(array: Int32Array, capacity: number): Int32Array {
  const grown = new Int32Array(capacity);
  grown.set(array);
  return grown;
}

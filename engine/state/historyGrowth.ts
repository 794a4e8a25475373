/**
 * How a customer's histories (recent interactions, contacts) grow. Most customers use a
 * few entries of the configured maximum: in the simulator's mix about 8 of 20 recent
 * interactions and 1 or 2 of 20 contacts (bench/state/memoryPerCustomer.ts). So a
 * history starts empty and grows by half (at least two entries) up to its maximum,
 * instead of reserving the maximum for every customer.
 */
export function grownCapacity(capacity: number, max: number): number {
  return Math.min(max, capacity + Math.max(2, capacity >> 1));
}

/*
 * The two copies below differ only in type, on purpose: V8 remembers at each `new Array`
 * the most general kind of element its arrays came to hold and creates later ones that
 * way. One shared function holding strings too would make every number array an array
 * of boxed numbers (16 bytes more each, and slower); from its own function a number
 * array stays an array of unboxed doubles.
 */

/** A new array of length `length` that starts with the first `used` numbers of `values`. */
export function resizedNumbers(values: readonly number[], used: number, length: number): number[] {
  const grown = new Array<number>(length);
  for (let i = 0; i < used; i++) grown[i] = values[i]!;
  return grown;
}

/** A new array of length `length` that starts with the first `used` strings of `values`. */
export function resizedStrings(values: readonly string[], used: number, length: number): string[] {
  const grown = new Array<string>(length);
  for (let i = 0; i < used; i++) grown[i] = values[i]!;
  return grown;
}

/**
 * Idle customers held in memory in their checkpoint encoding (CustomerSnapshot), by
 * customer id, in the order they were packed: the first is the one idle longest, to
 * leave memory first.
 *
 * Each encoding is kept as a one-byte string of its bytes. A Uint8Array per customer
 * would be an object of about 100 bytes plus an allocation outside the heap; a string
 * is 16 bytes of header and the bytes, in the heap, where the collector compacts it.
 */
export class PackedCustomers {
  readonly #packed = new Map<string, string>();
  #bytes = 0;

  get size(): number {
    return this.#packed.size;
  }

  /** Bytes of the encodings held (without the strings' headers and the map). */
  get bytes(): number {
    return this.#bytes;
  }

  has(customerId: string): boolean {
    return this.#packed.has(customerId);
  }

  /** Packs a customer, after any packed before it. */
  put(customerId: string, encoded: Uint8Array): void {
    this.delete(customerId);
    this.#packed.set(customerId, Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength).toString("latin1"));
    this.#bytes += encoded.byteLength;
  }

  /** The customer's encoding, still packed. */
  read(customerId: string): Uint8Array | undefined {
    const packed = this.#packed.get(customerId);
    return packed === undefined ? undefined : Buffer.from(packed, "latin1");
  }

  /** The customer's encoding, no longer packed. */
  take(customerId: string): Uint8Array | undefined {
    const packed = this.#packed.get(customerId);
    if (packed === undefined) return undefined;
    this.#remove(customerId, packed);
    return Buffer.from(packed, "latin1");
  }

  delete(customerId: string): void {
    const packed = this.#packed.get(customerId);
    if (packed !== undefined) this.#remove(customerId, packed);
  }

  #remove(customerId: string, packed: string): void {
    this.#packed.delete(customerId);
    this.#bytes -= packed.length;
  }

  /** The customer packed longest ago; undefined when none is. */
  oldest(): string | undefined {
    return this.#packed.keys().next().value;
  }

  customerIds(): IterableIterator<string> {
    return this.#packed.keys();
  }
}

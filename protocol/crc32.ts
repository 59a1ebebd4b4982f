/**
 * CRC-32 (IEEE 802.3, the polynomial of zlib and SCTP's predecessor), so the wire codec can tell a
 * corrupted message from a valid one, as every real transport's checksum does.
 *
 * Theory of operation: table-driven "slicing-by-4" (zlib's braid in its simplest form): four tables,
 * table k giving the CRC of a byte followed by k zero bytes, fold four bytes per step with four
 * lookups; the tail of fewer than four bytes goes byte by byte through the first table. The result is
 * the same as the byte-at-a-time loop's.
 *
 * For a codec that holds its payload as big-endian 32-bit words (w = b0<<24 | b1<<16 | b2<<8 | b3, b0
 * first on the wire), `crc32Word` folds in a whole word, with no second pass over the bytes. A step
 * above reads its four bytes as the little-endian word x = bswap(w). Keep the register byte-reversed
 * too (r = bswap(c)): then c ^ x = bswap(r ^ w), so the step's four table indices are the bytes of
 * y = r ^ w taken from the other end (y>>>24 for table 3, …, y & 0xff for table 0), and the new r is
 * the XOR of the byte-reversed table entries. No byte swap per word: one set of byte-reversed tables
 * instead. At the end the CRC is ~c = bswap(~r): the CRC written big-endian is ~r written little-endian.
 */

/** Four 256-entry tables, one after the other: TABLES[k·256 + b] is the CRC of byte b followed by k zero bytes. */
const TABLES = (() => {
  const t = new Uint32Array(4 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    for (let k = 1; k < 4; k++) {
      const prev = t[(k - 1) * 256 + n]!;
      t[k * 256 + n] = (t[prev & 0xff]! ^ (prev >>> 8)) >>> 0;
    }
  }
  return t;
})();

/** TABLES with each entry byte-reversed, for `crc32Word`'s byte-reversed register. */
const SWAPPED = TABLES.map((x) => (x >>> 24) | ((x >>> 8) & 0xff00) | ((x & 0xff00) << 8) | (x << 24));

/** `crc32Word`'s register before the first word: ~0 (byte-reversed or not). */
export const CRC32_START = ~0;

/**
 * The byte-reversed register `r` after the big-endian word `w` (see above); int32 in and out. The
 * CRC-32 of all the words is `~r` read as a little-endian word (its low byte first on the wire).
 */
export function crc32Word(r: number, w: number): number {
  const y = r ^ w;
  const t = SWAPPED;
  return t[768 + (y >>> 24)]! ^ t[512 + ((y >>> 16) & 0xff)]! ^ t[256 + ((y >>> 8) & 0xff)]! ^ t[y & 0xff]!;
}

/** The CRC-32 of `bytes` (from index `from` on) as an unsigned 32-bit integer. */
export function crc32(bytes: Uint8Array, from = 0): number {
  const t = TABLES;
  let c = ~0;
  let i = from;
  for (const end = bytes.length - 3; i < end; i += 4) {
    c ^= bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    c = t[768 + (c & 0xff)]! ^ t[512 + ((c >>> 8) & 0xff)]! ^ t[256 + ((c >>> 16) & 0xff)]! ^ t[c >>> 24]!;
  }
  for (; i < bytes.length; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

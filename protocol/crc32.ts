/**
 * CRC-32 (IEEE 802.3, the polynomial of zlib and SCTP's predecessor), so the wire codec can tell a
 * corrupted message from a valid one, as every real transport's checksum does.
 *
 * Theory of operation: table-driven "slicing-by-4" (zlib's braid in its simplest form): four tables,
 * table k giving the CRC of a byte followed by k zero bytes, fold four bytes per step with four
 * lookups; the tail of fewer than four bytes goes byte by byte through the first table. The result is
 * the same as the byte-at-a-time loop's.
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

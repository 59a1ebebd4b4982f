/**
 * CRC-32 (IEEE 802.3, the polynomial of zlib and SCTP's predecessor), so the wire codec can tell a
 * corrupted message from a valid one, as every real transport's checksum does.
 */

const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** The CRC-32 of `bytes` (from index `from` on) as an unsigned 32-bit integer. */
export function crc32(bytes: Uint8Array, from = 0): number {
  let c = 0xffffffff;
  for (let i = from; i < bytes.length; i++) c = TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

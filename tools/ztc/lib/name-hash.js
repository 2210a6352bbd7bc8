'use strict';
/**
 * A short, stable file name for a string (FNV-1a, 64 bits, hex) where node:crypto would cost more than
 * the whole lookup: loading it takes ~3 ms on Node 22. Not a digest: the files named this way hold the
 * full string they are for and are checked against it when read.
 */
function nameHash(text) {
  let hi = 0xcbf29ce4;
  let lo = 0x84222325;
  for (let i = 0; i < text.length; i++) {
    lo = (lo ^ text.charCodeAt(i)) >>> 0;
    // multiply the 64-bit (hi, lo) by the FNV prime 2^40 + 0x1b3, in 32-bit halves
    const loProduct = lo * 0x1b3;
    const carry = Math.floor(loProduct / 0x100000000);
    hi = (hi * 0x1b3 + (lo << 8) + carry) >>> 0;
    lo = loProduct >>> 0;
  }
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}

module.exports = { nameHash };

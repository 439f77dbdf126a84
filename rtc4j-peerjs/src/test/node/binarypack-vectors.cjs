// Generates BinaryPack test vectors with the real js-binarypack (peerjs-js-binarypack, as bundled by peerjs 1.5.x).
// Run once: node rtc4j-peerjs/src/test/node/binarypack-vectors.cjs > rtc4j-peerjs/src/test/resources/binarypack/vectors.json
// Values are written as tagged JSON: {"$bin":"<hex>"} for ArrayBuffers, {"$double":"<repr>"} for non-integral numbers
// (so that JSON parsing on the Java side cannot blur them), everything else as plain JSON.
const path = require("path");
const bp = require(path.join(__dirname, "../../../../web/node_modules/peerjs-js-binarypack/dist/binarypack.cjs"));

const hex = (ab) => Buffer.from(new Uint8Array(ab)).toString("hex");
const bin = (n, f) => { const u = new Uint8Array(n); for (let i = 0; i < n; i++) u[i] = f(i); return u.buffer; };
function tag(v) {
  if (v instanceof ArrayBuffer) return { $bin: hex(v) };
  if (typeof v === "number" && !Number.isInteger(v)) return { $double: String(v) };
  if (Array.isArray(v)) return v.map(tag);
  if (v !== null && typeof v === "object") { const o = {}; for (const k of Object.keys(v)) o[k] = tag(v[k]); return o; }
  return v;
}
const values = {
  null: null, true: true, false: false,
  zero: 0, one: 1, fixint127: 127, neg1: -1, neg32: -32, neg33: -33, u8_128: 128, u8_255: 255, neg128: -128, neg129: -129,
  u16_256: 256, u16_65535: 65535, neg32768: -32768, neg32769: -32769, u32_65536: 65536, u32_max: 4294967295,
  i32_min: -2147483648, i64_2p32: 4294967296, i64_neg: -4294967297, i64_2p52: 4503599627370496, i64_maxsafe: 9007199254740991,
  i64_minsafe: -9007199254740991,
  half: 0.5, pi: 3.141592653589793, negpi: -3.141592653589793, tiny: 1e-300, big: 15000000000.5, third: 1 / 3, neg_small: -0.001,
  nearpow2: 0.9999999999999999, dot1: 0.1, fracbig: 123456789.123,
  empty_str: "", s15: "abcdefghijklmno", s16: "abcdefghijklmnop", unicode: "héllo wörld ✓ 😀", s300: "x".repeat(300),
  s70000: "y".repeat(70000),
  bin0: bin(0, () => 0), bin15: bin(15, (i) => i), bin16: bin(16, (i) => 255 - i), bin1000: bin(1000, (i) => (i * 7) & 255),
  bin70000: bin(70000, (i) => (i * 13) & 255),
  arr_empty: [], arr15: Array.from({ length: 15 }, (_, i) => i), arr16: Array.from({ length: 16 }, (_, i) => i * 1000),
  arr5000: Array.from({ length: 5000 }, (_, i) => i & 63),
  map_empty: {}, map: { a: 1, b: "two", c: [true, false, null], d: { e: 0.25 } },
  map16: Object.fromEntries(Array.from({ length: 16 }, (_, i) => ["k" + i, i])),
  nested: { __peerData: 3, n: 0, data: bin(20, (i) => i), total: 2 },
  close: { __peerData: { type: "close" } },
  mixed: [1, "a", { x: [bin(3, (i) => i + 1)] }, -1.25, null],
};
const out = [];
for (const [name, v] of Object.entries(values)) out.push({ name, value: tag(v), hex: hex(bp.pack(v)) });
// undefined packs as nil; decoding-only vectors for the bytes the packer never writes:
const decodeOnly = { c1_undefined: "c1", d4_undefined: "d4", float32_1_5: "ca3fc00000", float32_neg: "cac1480000",
  uint64_small: "cf0000000100000000", int8_neg: "d0fe", int16: "d1fffe", int32: "d2fffffffe", uint16_small: "cd0001",
  str16_short: "d80003616263", raw32: "db00000002abcd", array32: "dd0000000101", map32: "df00000001b1610a" };
const dec = [];
for (const [name, h] of Object.entries(decodeOnly)) {
  const u = Buffer.from(h, "hex"); const ab = u.buffer.slice(u.byteOffset, u.byteOffset + u.length);
  const v = bp.unpack(ab);
  dec.push({ name, hex: h, value: v === undefined ? { $undefined: true } : tag(v) });
}
process.stdout.write(JSON.stringify({ generator: "peerjs-js-binarypack " + require(path.join(__dirname, "../../../../web/node_modules/peerjs-js-binarypack/package.json")).version, pack: out, unpack: dec }, null, 1) + "\n");

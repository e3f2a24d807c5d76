// SHA-256 (FIPS 180-4), written out by hand. ABI as in sha256.rs:
// alloc, dealloc, sha256(ptr, len) -> address of a 32-byte digest.
const K: StaticArray<u32> = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

const state = new StaticArray<u32>(8);
const w = new StaticArray<u32>(64);
const tail = new StaticArray<u8>(128);
const DIGEST = memory.data(32);

function readBE(ptr: usize): u32 {
  return bswap<u32>(load<u32>(ptr));
}

// The hot loop indexes fixed-size arrays with `unchecked` (no bounds checks),
// as AssemblyScript's docs recommend for kernels like this.
function compress(block: usize): void {
  for (let i = 0; i < 16; i++) unchecked(w[i] = readBE(block + (<usize>i << 2)));
  for (let i = 16; i < 64; i++) {
    const w15 = unchecked(w[i - 15]), w2 = unchecked(w[i - 2]);
    const s0 = rotr<u32>(w15, 7) ^ rotr<u32>(w15, 18) ^ (w15 >>> 3);
    const s1 = rotr<u32>(w2, 17) ^ rotr<u32>(w2, 19) ^ (w2 >>> 10);
    unchecked(w[i] = unchecked(w[i - 16]) + s0 + unchecked(w[i - 7]) + s1);
  }
  let a = state[0], b = state[1], c = state[2], d = state[3];
  let e = state[4], f = state[5], g = state[6], h = state[7];
  for (let i = 0; i < 64; i++) {
    const s1 = rotr<u32>(e, 6) ^ rotr<u32>(e, 11) ^ rotr<u32>(e, 25);
    const ch = (e & f) ^ (~e & g);
    const t1 = h + s1 + ch + unchecked(K[i]) + unchecked(w[i]);
    const s0 = rotr<u32>(a, 2) ^ rotr<u32>(a, 13) ^ rotr<u32>(a, 22);
    const maj = (a & b) ^ (a & c) ^ (b & c);
    const t2 = s0 + maj;
    h = g; g = f; f = e; e = d + t1;
    d = c; c = b; b = a; a = t1 + t2;
  }
  state[0] += a; state[1] += b; state[2] += c; state[3] += d;
  state[4] += e; state[5] += f; state[6] += g; state[7] += h;
}

export function alloc(len: usize): usize {
  const ptr = heap.alloc(len);
  memory.fill(ptr, 0, len);
  return ptr;
}

export function dealloc(ptr: usize, len: usize): void {
  heap.free(ptr);
}

export function sha256(ptr: usize, len: usize): usize {
  state[0] = 0x6a09e667; state[1] = 0xbb67ae85; state[2] = 0x3c6ef372; state[3] = 0xa54ff53a;
  state[4] = 0x510e527f; state[5] = 0x9b05688c; state[6] = 0x1f83d9ab; state[7] = 0x5be0cd19;
  const full = len & ~(<usize>63);
  for (let i: usize = 0; i < full; i += 64) compress(ptr + i);
  // Padding: 0x80, zeros, then the bit length as a big-endian u64.
  const rest = len - full;
  const t = changetype<usize>(tail);
  memory.fill(t, 0, 128);
  memory.copy(t, ptr + full, rest);
  store<u8>(t + rest, 0x80);
  const tailLen: usize = rest < 56 ? 64 : 128;
  store<u64>(t + tailLen - 8, bswap<u64>(<u64>len * 8));
  compress(t);
  if (tailLen == 128) compress(t + 64);
  for (let i = 0; i < 8; i++) store<u32>(DIGEST + (<usize>i << 2), bswap<u32>(state[i]));
  return DIGEST;
}

/** Small, dependency-free encoders for replay tokens: base64url, LEB128 varints, nibbles. */
const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const R = new Map<string, number>([...A].map((c, i) => [c, i]));

export function b64encode(bytes: readonly number[]): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const k = Math.min(3, bytes.length - i);
    out += A[(n >> 18) & 63]! + A[(n >> 12) & 63]!;
    if (k > 1) out += A[(n >> 6) & 63]!;
    if (k > 2) out += A[n & 63]!;
  }
  return out;
}

export function b64decode(s: string): number[] | null {
  const out: number[] = [];
  for (let i = 0; i < s.length; i += 4) {
    const chunk = s.slice(i, i + 4);
    if (chunk.length === 1) return null;
    let n = 0;
    for (let j = 0; j < 4; j++) {
      const c = chunk[j];
      const v = c === undefined ? 0 : R.get(c);
      if (v === undefined) return null;
      n = (n << 6) | v;
    }
    out.push((n >> 16) & 255);
    if (chunk.length > 2) out.push((n >> 8) & 255);
    if (chunk.length > 3) out.push(n & 255);
  }
  return out;
}

export function varintEncode(xs: readonly number[]): number[] {
  const out: number[] = [];
  for (let x of xs) {
    if (!Number.isInteger(x) || x < 0) throw new Error(`varint: bad value ${x}`);
    while (x >= 128) {
      out.push((x & 127) | 128);
      x = Math.floor(x / 128);
    }
    out.push(x);
  }
  return out;
}

export function varintDecode(bytes: readonly number[]): number[] | null {
  const out: number[] = [];
  let x = 0;
  let mul = 1;
  let open = false;
  for (const b of bytes) {
    x += (b & 127) * mul;
    open = (b & 128) !== 0;
    if (open) {
      mul *= 128;
      if (mul > 2 ** 35) return null;
    } else {
      out.push(x);
      x = 0;
      mul = 1;
    }
  }
  return open ? null : out;
}

export function nibblesEncode(xs: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < xs.length; i += 2) out.push((xs[i]! & 15) | ((xs[i + 1] ?? 0) & 15) << 4);
  return out;
}

export function nibblesDecode(bytes: readonly number[], n: number): number[] | null {
  if (bytes.length !== Math.ceil(n / 2)) return null;
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(i & 1 ? bytes[i >> 1]! >> 4 : bytes[i >> 1]! & 15);
  return out;
}

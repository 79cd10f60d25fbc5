/**
 * A 128-bit digest of a state key, for the state cache (hash compaction:
 * the cache keeps the digest of each state, not its text).
 *
 * Why: a netstack state's text is about 3 KB, and a stateful search keeps
 * one per state; at 100,000 states that is hundreds of megabytes, and every
 * lookup hashes the whole text again. The digest is 8 UTF-16 code units.
 *
 * What it costs: two different states with the same digest would be taken
 * for one, and the second one's subtree pruned. With four independent 32-bit
 * lanes the chance of any such collision among n states is about
 * n^2 / 2^129: below 1e-20 for a hundred million states (Wolper and Leroy,
 * "Reliable hashing without collision detection", CAV 1993, make the same
 * argument for hash compaction in SPIN). The checked hits (--check-hits)
 * compare full texts, so they would also catch a collision they met.
 *
 * The lanes: each reads the text two characters (one 32-bit word) at a
 * time through the MurmurHash3 block function, with its own seed and its own
 * pair of multipliers, and ends with MurmurHash3's finalizer over the length,
 * so that each output bit depends on every input bit.
 */

/** MurmurHash3's block step: lane h takes word k (premultiplied by the lane's constants). */
function block(h: number, k: number, c1: number, c2: number): number {
  k = Math.imul(k, c1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, c2);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** MurmurHash3's finalizer. */
function fmix(h: number, len: number): number {
  h ^= len;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * The digest, fed in pieces: put() the text in any split, done() gives
 * what digest128 gives for the whole text. The state walk writes into it,
 * so the state's text is never built (Execution.stateDigest).
 */
export class Digest128 {
  private a = 0x9747b28c | 0;
  private b = 0x5bd1e995 | 0;
  private c = 0x27d4eb2f | 0;
  private d = 0x165667b1 | 0;
  private len = 0;
  /** The first character of a word whose second has not come yet, or -1. */
  private half = -1;
  put(s: string): void {
    const n = s.length;
    if (n === 0) return;
    let a = this.a;
    let b = this.b;
    let c = this.c;
    let d = this.d;
    let i = 0;
    if (this.half >= 0) {
      const k = this.half | (s.charCodeAt(0) << 16);
      a = block(a, k, 0xcc9e2d51, 0x1b873593);
      b = block(b, k, 0x239b961b, 0xab0e9789);
      c = block(c, k, 0x38b34ae5, 0xa1e38b93);
      d = block(d, k, 0x85ebca6b, 0xc2b2ae35);
      i = 1;
    }
    for (; i + 1 < n; i += 2) {
      const k = s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16);
      a = block(a, k, 0xcc9e2d51, 0x1b873593);
      b = block(b, k, 0x239b961b, 0xab0e9789);
      c = block(c, k, 0x38b34ae5, 0xa1e38b93);
      d = block(d, k, 0x85ebca6b, 0xc2b2ae35);
    }
    this.half = i < n ? s.charCodeAt(i) : -1;
    this.a = a;
    this.b = b;
    this.c = c;
    this.d = d;
    this.len += n;
  }
  done(): string {
    let a = this.a;
    let b = this.b;
    let c = this.c;
    let d = this.d;
    if (this.half >= 0) {
      // The odd last character, as a word of its own (the length tells it from a pair).
      const k = this.half;
      a = block(a, k, 0xcc9e2d51, 0x1b873593);
      b = block(b, k, 0x239b961b, 0xab0e9789);
      c = block(c, k, 0x38b34ae5, 0xa1e38b93);
      d = block(d, k, 0x85ebca6b, 0xc2b2ae35);
    }
    const len = this.len;
    a = fmix(a, len);
    b = fmix(b, len);
    c = fmix(c, len);
    d = fmix(d, len);
    return String.fromCharCode(a >>> 16, a & 0xffff, b >>> 16, b & 0xffff, c >>> 16, c & 0xffff, d >>> 16, d & 0xffff);
  }
}

/**
 * Tags of StateDigest's tokens. Every token starts with one 32-bit tag
 * word, and what follows it is fixed by the tag (one value word; a length
 * word and the characters two to a word; or nothing), so the word stream
 * decodes into exactly one token stream.
 */
const TAG_TEXT = 0x10001;
const TAG_STRING = 0x10002;
const TAG_INT = 0x10003;
const TAG_FLOAT = 0x10004;
const TAG_LONG_TEXT = 0x10005;
const TAG_LONG_STRING = 0x10006;
/** A mark is its own tag: TAG_MARK | the character code. */
const TAG_MARK = 0x20000;
/** A literal of the walk (state-walk.ts LITERALS) is its own tag too: TAG_LITERAL | its number. */
const TAG_LITERAL = 0x30000;

/**
 * Every short text a state walk of this process has written, numbered in
 * the order first written: such a text is one word of the digest (machine
 * states, invocation names, primitives' states, a pending effect's
 * description are the same few strings over and over). Numbers are never
 * reused, so two texts have the same number only if they are the same text.
 * A scenario's stateHash (one text per state) and texts longer than
 * LONG_TEXT are hashed character by character instead, so the table holds
 * only what is repeated and stays small: the model's names and values.
 * Process-local, as the walk's shape numbers are: digests are compared
 * within one process.
 */
const LONG_TEXT = 80;
const TEXTS = new Map<string, number>();

function textNumber(s: string): number {
  let n = TEXTS.get(s);
  if (n === undefined) TEXTS.set(s, (n = TEXTS.size));
  return n;
}

/**
 * The digest the state walk writes into (Execution.stateDigest): the four
 * lanes of Digest128, fed the walk's tokens instead of a character stream:
 * a number, a punctuation mark or a short text (by its number in TEXTS) is
 * one word or two, and nothing is formatted or allocated for it. The walk
 * writes the same tokens to a TextSink, which renders them as stateKey()'s
 * text; so equal digests mean equal texts (up to a collision), and equal
 * texts come from equal tokens wherever the text reads back into one token
 * stream (where it would not, the digest is finer than the text: fewer
 * hits, never a wrong one).
 */
export class StateDigest {
  private a = 0x9747b28c | 0;
  private b = 0x5bd1e995 | 0;
  private c = 0x27d4eb2f | 0;
  private d = 0x165667b1 | 0;
  private words = 0;
  private word(k: number): void {
    this.a = block(this.a, k, 0xcc9e2d51, 0x1b873593);
    this.b = block(this.b, k, 0x239b961b, 0xab0e9789);
    this.c = block(this.c, k, 0x38b34ae5, 0xa1e38b93);
    this.d = block(this.d, k, 0x85ebca6b, 0xc2b2ae35);
    this.words++;
  }
  /** Raw text (see text). */
  put(s: string): void {
    this.text(TAG_TEXT, TAG_LONG_TEXT, s);
  }
  /** A string value (the text renders it quoted; see text). */
  str(s: string): void {
    this.text(TAG_STRING, TAG_LONG_STRING, s);
  }
  /** Raw text that is not repeated (a scenario's stateHash): character by character, never numbered. */
  long(s: string): void {
    this.chars(TAG_LONG_TEXT, s);
  }
  /** A number: its value when it is a 32-bit integer (0 and -0 alike, as String renders them), else its text's number. */
  num(n: number): void {
    if ((n | 0) === n) {
      this.word(TAG_INT);
      this.word(n);
    } else {
      this.word(TAG_FLOAT);
      this.word(textNumber(String(n)));
    }
  }
  /** One punctuation character. */
  mark(code: number): void {
    this.word(TAG_MARK | code);
  }
  /** One of the walk's literals (true, null, ...). */
  lit(n: number): void {
    this.word(TAG_LITERAL | n);
  }
  /** A short text by its number in TEXTS (one lookup: V8 keeps a string's hash in the string), a long one character by character. */
  private text(tag: number, longTag: number, s: string): void {
    if (s.length > LONG_TEXT) this.chars(longTag, s);
    else {
      this.word(tag);
      this.word(textNumber(s));
    }
  }
  /** A tag, the length, the characters two to a word. */
  private chars(tag: number, s: string): void {
    const n = s.length;
    this.word(tag);
    this.word(n);
    for (let i = 0; i < n; i += 2) this.word(i + 1 < n ? s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16) : s.charCodeAt(i));
  }
  done(): string {
    const w = this.words;
    const a = fmix(this.a, w);
    const b = fmix(this.b, w);
    const c = fmix(this.c, w);
    const d = fmix(this.d, w);
    return String.fromCharCode(a >>> 16, a & 0xffff, b >>> 16, b & 0xffff, c >>> 16, c & 0xffff, d >>> 16, d & 0xffff);
  }
}

/** The digest of s: 8 UTF-16 code units (four 32-bit lanes). */
export function digest128(s: string): string {
  const h = new Digest128();
  h.put(s);
  return h.done();
}

/** The digest as 32 hex digits (for reports and tests). */
export function digestHex(d: string): string {
  let out = '';
  for (let i = 0; i < d.length; i++) out += d.charCodeAt(i).toString(16).padStart(4, '0');
  return out;
}

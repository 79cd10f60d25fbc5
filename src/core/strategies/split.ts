/**
 * A DPOR search split into shards by prefix (DfsOptions.split): what one
 * shard reports, and the proof that the shards together are the whole
 * search. The split itself is in dfs.ts (full expansion above the cut,
 * prefixes dealt out by index).
 */

/** What one shard of a split search did (DfsStrategy.shardReport). */
export interface ShardReport {
  shard: number;
  shards: number;
  depth: number;
  /** Prefixes at the cut in the whole tree (every shard counts them all). */
  prefixes: number;
  /** The prefixes (by index) whose subtrees this shard finished. */
  closed: number[];
  /** Hash of the prefixes in order: shards of one search agree on it. */
  tree: string;
  /** The shard's search ended (every prefix of its own closed). */
  complete: boolean;
}

/**
 * The shards of one split search together: complete when every shard of
 * 0..n-1 is present once, all agree on the depth and on the prefix tree,
 * ended, and their closed prefixes are exactly 0..prefixes-1. Returns why
 * not otherwise.
 */
export function mergeShards(rs: readonly ShardReport[]): { complete: boolean; why: string | null; prefixes: number } {
  if (rs.length === 0) return { complete: false, why: 'no shard', prefixes: 0 };
  const r0 = rs[0]!;
  const seen = new Set<number>();
  for (const r of rs) {
    if (r.shards !== r0.shards || r.depth !== r0.depth) return { complete: false, why: `shard ${r.shard} was split ${r.shards} ways at depth ${r.depth}, shard ${r0.shard} ${r0.shards} ways at depth ${r0.depth}`, prefixes: r0.prefixes };
    if (seen.has(r.shard)) return { complete: false, why: `shard ${r.shard} is given twice`, prefixes: r0.prefixes };
    seen.add(r.shard);
  }
  const missing = [...Array(r0.shards).keys()].filter((i) => !seen.has(i));
  if (missing.length) return { complete: false, why: `shard${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of ${r0.shards} missing`, prefixes: r0.prefixes };
  // A shard that stopped early has seen only part of the prefix tree: say that first.
  const open = rs.filter((r) => !r.complete).map((r) => r.shard);
  if (open.length) return { complete: false, why: `shard${open.length > 1 ? 's' : ''} ${open.join(', ')} did not finish`, prefixes: r0.prefixes };
  for (const r of rs) {
    if (r.tree !== r0.tree || r.prefixes !== r0.prefixes) return { complete: false, why: `shard ${r.shard} saw another prefix tree than shard ${r0.shard} (another scenario, parameters or options)`, prefixes: r0.prefixes };
  }
  const closed = new Set<number>();
  for (const r of rs) for (const c of r.closed) closed.add(c);
  for (let i = 0; i < r0.prefixes; i++) if (!closed.has(i)) return { complete: false, why: `prefix ${i} was closed by no shard`, prefixes: r0.prefixes };
  return { complete: true, why: null, prefixes: r0.prefixes };
}

// Near-duplicate groups from the self-join's pairs: photos whose full embeddings are nearly the same
// (a resized, recompressed, cropped or re-exported copy) are one group; photos only alike (two shots
// of the same beach) form "similar" groups shown apart; identical files (same hash) are exact copies.
// Pure: the join itself (shortlist on a short prefix, rerank at full dims) is in
// src/main/jobs/signals/duplicates.ts.

export type GroupKind = 'exact' | 'duplicate' | 'similar'

export interface Pair {
  a: number
  b: number
  /** cosine at full dims (1 for identical files) */
  score: number
  /** how alike the two look pixel for pixel (lookCorrelation; 1 for identical files) */
  look: number
}

/**
 * The model's embedding is about what a photo shows: two photos of one golf ball score as high at
 * full dims (up to 0.985 on Imagenette) as a photo and its crop. So a duplicate must also look the
 * same, pixel for pixel, at 12 x 12: copies do (0.95+, crops 0.35-0.9), distinct photos of one
 * class rarely (95 % under 0.35).
 */
export interface Thresholds {
  /** a duplicate: cosine at full dims at least this... */
  duplicate: number
  /** ...and a look at least this; */
  look: number
  /** or a copy the model sees as less alike (a crop): cosine at least this... */
  cropDuplicate: number
  /** ...and a look at least this (two dark seascapes, two ships on blue at 32 px look alike at 0.4-0.64) */
  cropLook: number
  /** similar: cosine at least this and a look at least `similarLook`, short of a duplicate */
  similar: number
  similarLook: number
}

/** A similar group grows no further than this (a chain of alike photos is not one scene). */
export const MAX_SIMILAR_GROUP = 12

export const isDuplicate = (p: Pair, t: Thresholds) =>
  p.score >= 1 || (p.score >= t.duplicate && p.look >= t.look) || (p.score >= t.cropDuplicate && p.look >= t.cropLook)

/** The lowest cosine at full dims a pair needs to be either (the join keeps the pairs above it). */
export const pairFloor = (t: Thresholds) => Math.min(t.duplicate, t.cropDuplicate, t.similar)
const isSimilar = (p: Pair, t: Thresholds) => !isDuplicate(p, t) && p.score >= t.similar && p.look >= t.similarLook

/** A photo's look: its 12 x 12 grey pixels, centred and scaled to unit length (as signed bytes). */
export const LOOK_SIDE = 12

export function lookOf(grey: Uint8Array): number[] {
  const n = grey.length
  let mean = 0
  for (const g of grey) mean += g / n
  let norm = 0
  for (const g of grey) norm += (g - mean) ** 2
  norm = Math.sqrt(norm) || 1
  return Array.from(grey, (g) => Math.round(((g - mean) / norm) * 127 * 4)).map((x) => Math.max(-127, Math.min(127, x)))
}

/** Correlation of two looks (1: the same picture; near 0: unrelated). */
export function lookCorrelation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0
  let na = 0
  let nb = 0
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i]
    na += a[i] * a[i]
    nb += b[i] * b[i]
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0
}

class UnionFind {
  private readonly parent = new Map<number, number>()
  find(x: number): number {
    let r = x
    while (this.parent.has(r) && this.parent.get(r) !== r) r = this.parent.get(r)!
    // path compression
    let c = x
    while (c !== r) {
      const next = this.parent.get(c) ?? r
      this.parent.set(c, r)
      c = next
    }
    return r
  }
  union(a: number, b: number): void {
    const ra = this.find(a)
    const rb = this.find(b)
    if (ra !== rb) this.parent.set(Math.max(ra, rb), Math.min(ra, rb))
  }
  groups(ids: Iterable<number>): number[][] {
    const out = new Map<number, number[]>()
    for (const id of ids) {
      const r = this.find(id)
      const g = out.get(r)
      if (g) g.push(id)
      else out.set(r, [id])
    }
    return [...out.values()].filter((g) => g.length > 1).map((g) => g.sort((x, y) => x - y))
  }
}

export interface Group {
  kind: GroupKind
  ids: number[]
  /** the lowest pair score that joined it (1: identical files) */
  score: number
}

/**
 * Groups: the photos joined by duplicate pairs (through any chain) are one group, "exact" when every
 * member is the same file; the similar pairs between photos of different duplicate groups (or none)
 * join "similar" groups.
 */
export function groupPairs(pairs: Pair[], t: Thresholds): Group[] {
  const dup = new UnionFind()
  const seen = new Set<number>()
  for (const p of pairs) if (isDuplicate(p, t)) (dup.union(p.a, p.b), seen.add(p.a), seen.add(p.b))
  // each duplicate group's lowest joining score, by its root (one pass over the pairs)
  const low = new Map<number, number>()
  for (const p of pairs) {
    if (!isDuplicate(p, t)) continue
    const r = dup.find(p.a)
    low.set(r, Math.min(low.get(r) ?? 1, p.score))
  }
  const groups: Group[] = []
  const byRoot = new Map<number, Group>()
  for (const ids of dup.groups(seen)) {
    const score = low.get(dup.find(ids[0])) ?? 1
    const g: Group = { kind: score >= 1 ? 'exact' : 'duplicate', ids, score }
    groups.push(g)
    byRoot.set(dup.find(ids[0]), g)
  }
  // similar: between photos not already one photo; a duplicate group stands as its root
  const rep = (id: number) => (seen.has(id) ? dup.find(id) : id)
  const members = (r: number) => byRoot.get(r)?.ids ?? [r]
  const sim = new UnionFind()
  const simSeen = new Set<number>()
  const size = new Map<number, number>()
  const simLow = new Map<number, number>()
  const sizeOf = (r: number) => size.get(sim.find(r)) ?? members(r).length
  // the most alike first, so a group that reaches its size keeps its closest members
  for (const p of pairs.filter((x) => isSimilar(x, t)).sort((x, y) => y.score - x.score)) {
    const a = rep(p.a)
    const b = rep(p.b)
    if (sim.find(a) === sim.find(b)) continue
    const joined = sizeOf(a) + sizeOf(b)
    if (joined > MAX_SIMILAR_GROUP) continue
    const low2 = Math.min(simLow.get(sim.find(a)) ?? 1, simLow.get(sim.find(b)) ?? 1, p.score)
    sim.union(a, b)
    size.set(sim.find(a), joined)
    simLow.set(sim.find(a), low2)
    simSeen.add(a)
    simSeen.add(b)
  }
  for (const reps of sim.groups(simSeen)) {
    const ids = reps.flatMap(members).sort((a, b) => a - b)
    groups.push({ kind: 'similar', ids, score: simLow.get(sim.find(reps[0])) ?? 1 })
  }
  return groups
}

/** What choosing the copy to keep looks at. */
export interface CopyFacts {
  id: number
  width: number
  height: number
  /** file size in bytes */
  size: number
  /** the file's extension, lower case, no dot */
  format: string
  /** when it was taken (EXIF) or else modified, ISO */
  when: string
}

/** Formats cameras and phones write: a copy in one of them is more likely the original than a PNG or WebP export. */
const ORIGINAL_FORMATS = new Set(['jpg', 'jpeg', 'heic', 'heif', 'dng', 'cr2', 'cr3', 'nef', 'arw', 'orf', 'rw2', 'raf', 'tif', 'tiff'])

/** The copy to keep: the largest (pixels), then in an original format, then the earliest, then the biggest file. */
export function bestCopy(copies: CopyFacts[]): number {
  const ranked = [...copies].sort(
    (a, b) =>
      b.width * b.height - a.width * a.height ||
      Number(ORIGINAL_FORMATS.has(b.format)) - Number(ORIGINAL_FORMATS.has(a.format)) ||
      a.when.localeCompare(b.when) ||
      b.size - a.size ||
      a.id - b.id
  )
  return ranked[0].id
}

/** Pairwise precision and recall of predicted groups against true groups (each a list of ids). */
export function pairScores(predicted: number[][], truth: number[][]): { precision: number; recall: number; tp: number; predicted: number; actual: number } {
  const pairs = (groups: number[][]) => {
    const out = new Set<string>()
    for (const g of groups) for (let i = 0; i < g.length; i++) for (let j = i + 1; j < g.length; j++) out.add(`${Math.min(g[i], g[j])}:${Math.max(g[i], g[j])}`)
    return out
  }
  const p = pairs(predicted)
  const t = pairs(truth)
  let tp = 0
  for (const x of p) if (t.has(x)) tp++
  return { precision: p.size ? tp / p.size : 1, recall: t.size ? tp / t.size : 1, tp, predicted: p.size, actual: t.size }
}

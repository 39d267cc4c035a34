// The duplicates signal: the Matryoshka funnel joined with itself. Each photo's K nearest on a short
// prefix come from the shortlist index search already keeps (usearch HNSW), are reranked by cosine
// at full dims, and those close enough are kept with the photo's look (12 x 12 grey, from its
// thumbnail: the model sees what a photo shows, the look tells a copy from another photo of the same
// thing). A new photo finds the old ones; pairs are symmetric, so the groups (core/duplicates.ts)
// need no old row recomputed.
// The only file that reads the search space for duplicates: vector(id), has(id), shortlist(ds).search.
import sharp from 'sharp'
import { prefixCosine } from '../../../core/mrl'
import { LOOK_SIDE, lookCorrelation, lookOf, pairFloor, type Pair, type Thresholds } from '../../../core/duplicates'
import type { SearchSpace } from '../../space/searchSpace'
import type { SignalDefinition } from '../signals'

export const DUPLICATES = 'duplicates'

/**
 * The join's funnel and thresholds, calibrated on made copies (resized, recompressed, cropped to
 * 85 %, PNG, WebP) of 5 Imagenette classes and 3 wallpapers against the distinct photos of those
 * classes, then checked on the other 5 classes (test/duplicates.test.ts prints the held-out figures):
 * copies other than crops score 0.99+ and look 0.95+. The first rule, cosine >= 0.91 with a look
 * >= 0.40, joined distinct photos in a home library (two dark seascapes at 0.92 / 0.56, two CIFAR
 * ships at 0.93 / 0.48): on the calibration half with 200 CIFAR-10 photos and every pair counted,
 * it took 12 distinct pairs for copies. Two tiers instead, chosen there (no distinct pair, 535 of
 * 541 copy pairs, 92 of 97 crop pairs): cosine >= 0.93 with a look >= 0.5, or cosine >= 0.91 with a
 * look >= 0.72. Held out (with the home library's real photos): every one of 525 copy pairs and
 * 110 crop pairs, 12 distinct pairs (31 with the first rule).
 * The funnel (bench/duplicates.ts, 50,000 CIFAR-10 train embeddings): K=32 on 32 dims finds every
 * exact pair at 0.98+ among the 32 nearest of 1,000 sampled photos (K=16: 27 of 29; K=16 on 64 dims:
 * 28 of 29) at 2,300 photos/s on one thread (K=16: 2,550).
 */
export const JOIN: Thresholds & { ds: number; k: number } = { ds: 32, k: 32, duplicate: 0.93, look: 0.5, cropDuplicate: 0.91, cropLook: 0.72, similar: 0.93, similarLook: 0.25 }

/** What the signal keeps per photo: its look, and its near photos with their cosine at full dims. */
export interface DuplicateValue {
  look: number[]
  near: [number, number][]
}

/** What the join reads of the search space (and a benchmark hands in over its own table). */
export interface JoinView {
  has(id: number): boolean
  vector(id: number): Float32Array
  /** ids of the k nearest on the ds-prefix (the photo itself among them) */
  shortlist(ds: number, query: Float32Array, k: number): number[]
}

export function spaceView(space: SearchSpace): JoinView {
  return {
    has: (id) => space.vectors.has(id),
    vector: (id) => space.vectors.vector(id),
    shortlist: (ds, query, k) => space.shortlist(ds).search(query, k)
  }
}

/** A photo's nearest others scoring at least `similar` at full dims: [id, cosine] pairs, best first. */
export function nearCopies(view: JoinView, id: number, join: Thresholds & { ds: number; k: number } = JOIN): [number, number][] {
  const floor = pairFloor(join)
  if (!view.has(id)) return []
  const v = view.vector(id)
  const out: [number, number][] = []
  for (const other of view.shortlist(join.ds, v, join.k + 1)) {
    if (other === id || !view.has(other)) continue
    const score = prefixCosine(v, 0, view.vector(other), 0, v.length)
    if (score >= floor) out.push([other, Math.round(score * 1e5) / 1e5])
  }
  return out.sort((a, b) => b[1] - a[1])
}

/** Every stored pair of the signal, rescored on the current vectors (a photo changed since is judged as it is now). */
export function currentPairs(view: JoinView, values: ReadonlyMap<number, DuplicateValue>, thresholds: Thresholds = JOIN): Pair[] {
  const seen = new Set<string>()
  const out: Pair[] = []
  const floor = pairFloor(thresholds)
  for (const [a, { look, near }] of values) {
    if (!view.has(a)) continue
    const va = view.vector(a)
    for (const [b] of near) {
      const key = a < b ? `${a}:${b}` : `${b}:${a}`
      const lb = values.get(b)?.look
      if (seen.has(key) || !view.has(b) || !lb) continue
      seen.add(key)
      const score = prefixCosine(va, 0, view.vector(b), 0, va.length)
      if (score >= floor) out.push({ a: Math.min(a, b), b: Math.max(a, b), score, look: lookCorrelation(look, lb) })
    }
  }
  return out
}

/** A photo's look, read off its thumbnail (already decoded and oriented at indexing). */
export async function lookFromFile(path: string): Promise<number[]> {
  const data = await sharp(path).resize(LOOK_SIDE, LOOK_SIDE, { fit: 'fill' }).greyscale().raw().toBuffer()
  return lookOf(new Uint8Array(data.buffer, data.byteOffset, data.length))
}

export function duplicatesSignal(space: () => SearchSpace): SignalDefinition<DuplicateValue> {
  return {
    name: DUPLICATES,
    // the join is in the space's geometry: another model or adaptor joins again
    get version() {
      return `duplicates-1/${space().spaceId}`
    },
    // a photo takes ~5 ms (its look; the join ~0.4 ms): a commit every ~1 s
    batch: 200,
    async compute({ photo, thumbPath }) {
      return { look: await lookFromFile(thumbPath), near: nearCopies(spaceView(space()), photo.id) }
    }
  }
}

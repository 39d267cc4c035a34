// People from faces, pure: a new face joins the person of its nearest faces when they are close
// enough (the Matryoshka funnel: a short prefix shortlists faces, the full embedding reranks), else
// it starts a person of its own; faces the user took off a person never rejoin it. Pairwise
// precision and recall measure a clustering against hand-checked identities.

export interface FaceVectors {
  n: number
  /** the width of each row of `rows` (the face space's full embedding) */
  dims: number
  rows: Float32Array
}

export interface AssignOptions {
  /** cosine on the full embedding from which a face joins a person */
  threshold: number
  /** the prefix that shortlists faces, and how many it keeps */
  shortlistDims: number
  shortlistK: number
}

/** Unit rows of the first `m` dims of each row (cosine on a prefix becomes a dot product). */
export function unitPrefixRows(v: FaceVectors, m: number): Float32Array {
  const out = new Float32Array(v.n * m)
  for (let i = 0; i < v.n; i++) {
    let s = 0
    for (let j = 0; j < m; j++) s += v.rows[i * v.dims + j] ** 2
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0
    for (let j = 0; j < m; j++) out[i * m + j] = v.rows[i * v.dims + j] * inv
  }
  return out
}

function dot(a: Float32Array, ao: number, b: Float32Array, bo: number, m: number): number {
  let s = 0
  for (let j = 0; j < m; j++) s += a[ao + j] * b[bo + j]
  return s
}

/** The `k` best of `candidates` by dot product with row `i` of `rows` (width m), best first. */
export function nearest(rows: Float32Array, m: number, i: number, candidates: Iterable<number>, k: number): { j: number; score: number }[] {
  const best: { j: number; score: number }[] = []
  for (const j of candidates) {
    if (j === i) continue
    const score = dot(rows, i * m, rows, j * m, m)
    if (best.length < k) {
      best.push({ j, score })
      if (best.length === k) best.sort((a, b) => b.score - a.score)
    } else if (score > best[k - 1].score) {
      let at = k - 1
      while (at > 0 && best[at - 1].score < score) at--
      best.splice(at, 0, { j, score })
      best.pop()
    }
  }
  return best.length < k ? best.sort((a, b) => b.score - a.score) : best
}

/**
 * Gives every unassigned face (persons[i] < 0) a person, in index order, so each joined face can
 * attract the next: a short prefix of `shortlist` picks the nearest placed faces, `full` (the same
 * faces' full embeddings) rescores them, and the face joins the person of the best one at or above
 * the threshold that it was not taken off, else starts a new person. Returns the persons created.
 */
export function assignFaces(shortlist: FaceVectors, full: FaceVectors, persons: Int32Array, opts: AssignOptions, rejected: (face: number, person: number) => boolean, nextPerson: () => number): number[] {
  const ds = Math.min(opts.shortlistDims, shortlist.dims)
  const short = unitPrefixRows(shortlist, ds)
  const rerank = unitPrefixRows(full, full.dims)
  const assigned: number[] = []
  for (let i = 0; i < full.n; i++) if (persons[i] >= 0) assigned.push(i)
  const created: number[] = []
  for (let i = 0; i < full.n; i++) {
    if (persons[i] >= 0) continue
    let best = -1
    let bestScore = opts.threshold
    for (const { j } of nearest(short, ds, i, assigned, opts.shortlistK)) {
      const p = persons[j]
      const score = dot(rerank, i * full.dims, rerank, j * full.dims, full.dims)
      if (score >= bestScore && !rejected(i, p)) {
        best = p
        bestScore = score
      }
    }
    if (best < 0) {
      best = nextPerson()
      created.push(best)
    }
    persons[i] = best
    assigned.push(i)
  }
  return created
}

/** Pairwise precision and recall of a clustering over the pairs whose truth is known. */
export function pairwiseScores(n: number, predicted: ArrayLike<number>, same: (i: number, j: number) => boolean | null): { precision: number; recall: number; pairs: number; positives: number } {
  let tp = 0
  let fp = 0
  let fn = 0
  let pairs = 0
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      const truth = same(i, j)
      if (truth === null) continue
      pairs++
      const together = predicted[i] === predicted[j]
      if (together && truth) tp++
      else if (together) fp++
      else if (truth) fn++
    }
  return { precision: tp + fp ? tp / (tp + fp) : 1, recall: tp + fn ? tp / (tp + fn) : 1, pairs, positives: tp + fn }
}

/** A face's square crop with a margin, in pixels of a width x height image, clamped to it (box: fractions of the sides). */
export function faceCrop(box: [number, number, number, number], width: number, height: number, margin = 0.3): { left: number; top: number; width: number; height: number } {
  const [x, y, w, h] = [box[0] * width, box[1] * height, box[2] * width, box[3] * height]
  const side = Math.max(w, h) * (1 + 2 * margin)
  const left = Math.max(0, Math.round(x + w / 2 - side / 2))
  const top = Math.max(0, Math.round(y + h / 2 - side / 2))
  return { left, top, width: Math.max(1, Math.min(width, Math.round(x + w / 2 + side / 2)) - left), height: Math.max(1, Math.min(height, Math.round(y + h / 2 + side / 2)) - top) }
}

// Exact search over the whole table on a prefix, without building an index: the SIMD kernel
// (kernels/) scores CHUNK rows at a time and the best are kept in a small bounded heap rather than
// a full sort. A row's first d dims are d bytes, so a prefix scan reads d/512 of what a 512-d one
// does (a 64-d prefix is one cache line a row).
//
// Measured at 1,000,000 x 512 on 2 shared cores, one query, 6 interleaved rounds (bench/prefixScan.ts,
// bench/results/interleaved.md): p50 18 ms at 8 dims, 23 at 64, 36 at 128, 69 at 256, 90 at 512;
// usearch's float32 exactSearch at 512 in the same rounds 235 ms (1 thread), 285 (2). Before: a JS
// loop over f32 rows took 250 ms at 64 dims and 546 ms at 256.
import type { VectorTable } from './vectors'

export interface Scored {
  id: number
  score: number
}

/** The `keep` best photos by cosine to `query` on its first `dims` dims, ties by id. */
export function scanTable(table: VectorTable, query: Float32Array, dims: number, keep: number, exclude?: Set<number>): Scored[] {
  const want = Math.min(table.size, keep + (exclude?.size ?? 0))
  if (!want) return []
  const best = new TopK(want)
  let cosine = 0
  table.scanChunks(query, dims, (scores, first, scale) => {
    cosine = scale
    for (let i = 0; i < scores.length; i++) if (best.wants(scores[i])) best.offer(table.idAt(first + i), scores[i])
  })
  return best
    .sorted()
    .filter((h) => !exclude?.has(h.id))
    .slice(0, keep)
    .map((h) => ({ id: h.id, score: h.score * cosine }))
}

/** The k largest scores seen, kept in a binary min-heap so most offers cost one comparison. */
export class TopK {
  private readonly ids: Int32Array
  private readonly scores: Float64Array
  private size = 0

  constructor(private readonly k: number) {
    this.ids = new Int32Array(k)
    this.scores = new Float64Array(k)
  }

  /** false when `score` cannot enter (ties by id are left to offer) */
  wants(score: number): boolean {
    return this.size < this.k || score >= this.scores[0]
  }

  offer(id: number, score: number): void {
    if (this.size < this.k) {
      let i = this.size++
      while (i > 0) {
        const p = (i - 1) >> 1
        if (!this.worse(score, id, this.scores[p], this.ids[p])) break
        this.scores[i] = this.scores[p]
        this.ids[i] = this.ids[p]
        i = p
      }
      this.scores[i] = score
      this.ids[i] = id
    } else if (this.worse(this.scores[0], this.ids[0], score, id)) {
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        if (l >= this.size) break
        const r = l + 1
        const c = r < this.size && this.worse(this.scores[r], this.ids[r], this.scores[l], this.ids[l]) ? r : l
        if (!this.worse(this.scores[c], this.ids[c], score, id)) break
        this.scores[i] = this.scores[c]
        this.ids[i] = this.ids[c]
        i = c
      }
      this.scores[i] = score
      this.ids[i] = id
    }
  }

  /** a ranks below b: lower score, or equal score and larger id */
  private worse(sa: number, ia: number, sb: number, ib: number): boolean {
    return sa < sb || (sa === sb && ia > ib)
  }

  sorted(): Scored[] {
    const out: Scored[] = []
    for (let i = 0; i < this.size; i++) out.push({ id: this.ids[i], score: this.scores[i] })
    return out.sort((a, b) => b.score - a.score || a.id - b.id)
  }
}

/** A shortlist by exact prefix scan instead of an index: what the funnel uses under a filter, and the benchmark's reference shortlist. */
export class PrefixScan {
  constructor(
    private readonly table: VectorTable,
    readonly dims: number
  ) {}

  search(query: Float32Array, k: number): number[] {
    return scanTable(this.table, query, this.dims, k).map((h) => h.id)
  }
}

// Exact search over the whole table on a prefix, without building an index.
//
// The full-dim scan is a kernel handed in (src/main/adapters/usearch/exactScan.ts: usearch's SIMD
// exactSearch, 5x the JS loop, measured there); a prefix shorter than the stored row has no
// contiguous matrix to hand it, so it is scanned here in JS, cosine computed in one pass and the
// best kept in a small bounded list rather than a full sort. Without a kernel, every scan is JS.
import type { VectorTable } from './vectors'

export interface Scored {
  id: number
  score: number
}

/** The `want` best rows by cosine on every dim, best first, ties by id. */
export type FullScan = (table: VectorTable, query: Float32Array, want: number) => Scored[]

/** The `keep` best photos by cosine to `query` on its first `dims` dims, ties by id. */
export function scanTable(table: VectorTable, query: Float32Array, dims: number, keep: number, exclude?: Set<number>, full?: FullScan): Scored[] {
  const n = table.size
  const want = Math.min(n, keep + (exclude?.size ?? 0))
  if (!want) return []
  const hits = full && dims === table.dims ? full(table, query, want) : prefixScan(table, query, dims, want)
  return hits.filter((h) => !exclude?.has(h.id)).slice(0, keep)
}

function prefixScan(table: VectorTable, query: Float32Array, dims: number, want: number): Scored[] {
  const data = table.matrix
  const d = table.dims
  let qn = 0
  for (let j = 0; j < dims; j++) qn += query[j] * query[j]
  qn = qn > 0 ? 1 / Math.sqrt(qn) : 0
  const best = new TopK(want)
  for (let s = 0, o = 0; s < table.size; s++, o += d) {
    let dot = 0
    let nn = 0
    for (let j = 0; j < dims; j++) {
      const x = data[o + j]
      dot += x * query[j]
      nn += x * x
    }
    best.offer(table.idAt(s), nn > 0 ? (dot * qn) / Math.sqrt(nn) : 0)
  }
  return best.sorted()
}

/** The k largest scores seen, kept in a binary min-heap so most offers cost one comparison. */
class TopK {
  private readonly ids: Int32Array
  private readonly scores: Float64Array
  private size = 0

  constructor(private readonly k: number) {
    this.ids = new Int32Array(k)
    this.scores = new Float64Array(k)
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
    readonly dims: number,
    private readonly full?: FullScan
  ) {}

  search(query: Float32Array, k: number): number[] {
    return scanTable(this.table, query, this.dims, k, undefined, this.full).map((h) => h.id)
  }
}

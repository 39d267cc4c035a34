// Quality of many funnels over the same candidates, fast: per query, each candidate's cosine at
// every prefix comes from one pass over its row as the engine stores it (bytes, src/core/vectors.ts;
// the prefixes nest), cached across the funnels that share the candidate. Stage semantics (what
// each stage keeps, on which prefix) are funnel.ts's stagesFor, the same as the engine's runFunnel;
// the benchmark checks the two agree. Where the table keeps a finer copy (the engine's f16 rows),
// the last rescoreWidth(10) are rescored as the engine does, here from the float32 rows the copy
// was made from.
import type { Funnel } from '../src/core/mrl'
import { stagesFor } from '../src/core/funnel'
import type { Database } from './database'
import { TOP } from './quality'

/** The engine's stored rows as floats (row = id = slot in the benchmark's tables). */
export function storedRows(db: Database): Float32Array {
  const out = new Float32Array(db.n * db.dims)
  for (let r = 0; r < db.n; r++) db.table.rowInto(db.table.slotOf(r), out, r * db.dims)
  return out
}

/** 1 / |x[:m]| for every row and every prefix m of the nesting list. */
export function inverseNorms(db: Database, data: Float32Array, nesting: number[]): Float32Array[] {
  const d = db.dims
  const out = nesting.map(() => new Float32Array(db.n))
  for (let r = 0; r < db.n; r++) {
    let s = 0
    let j = 0
    nesting.forEach((m, i) => {
      for (; j < m; j++) s += data[r * d + j] ** 2
      out[i][r] = s > 0 ? 1 / Math.sqrt(s) : 0
    })
  }
  return out
}

/** Top `keep` of `pool` by score, best first, ties by row (as the engine breaks them). */
function best(pool: number[], score: (row: number) => number, keep: number): number[] {
  if (pool.length <= keep) return [...pool].sort((a, b) => score(b) - score(a) || a - b)
  const top: number[] = []
  const s: number[] = []
  for (const row of pool) {
    const v = score(row)
    if (top.length === keep) {
      const last = keep - 1
      if (v < s[last] || (v === s[last] && row > top[last])) continue
      top.pop()
      s.pop()
    }
    // insertion into the short sorted list: most rows are rejected above with one comparison
    let i = top.length
    top.push(row)
    s.push(v)
    while (i > 0 && (s[i - 1] < v || (s[i - 1] === v && top[i - 1] > row))) {
      top[i] = top[i - 1]
      s[i] = s[i - 1]
      i--
    }
    top[i] = row
    s[i] = v
  }
  return top
}

/**
 * answers[config][query] = the top-10 rows of each funnel, given each funnel's first-stage pool
 * per query (`pools(config, q)`), reranked on `data` (storedRows).
 */
export function rerankMany(db: Database, data: Float32Array, nesting: number[], norms: Float32Array[], queries: Float32Array[], funnels: Funnel[], pools: (f: Funnel, q: number) => number[]): number[][][] {
  const d = db.dims
  const answers = funnels.map(() => [] as number[][])
  const at = new Map(nesting.map((m, i) => [m, i]))
  const L = nesting.length
  // per-row cosines at every prefix, valid for the query whose stamp they carry (no allocation per row)
  const stamp = new Int32Array(db.n)
  const cos = new Float64Array(db.n * L)
  queries.forEach((query, q) => {
    const qInv = nesting.map((m) => {
      let s = 0
      for (let j = 0; j < m; j++) s += query[j] * query[j]
      return s > 0 ? 1 / Math.sqrt(s) : 0
    })
    const mark = q + 1
    const cosine = (row: number, i: number): number => {
      if (stamp[row] !== mark) {
        let dot = 0
        let j = 0
        const o = row * d
        for (let k = 0; k < L; k++) {
          const m = nesting[k]
          for (; j < m; j++) dot += data[o + j] * query[j]
          cos[row * L + k] = dot * qInv[k] * norms[k][row]
        }
        stamp[row] = mark
      }
      return cos[row * L + i]
    }
    const fine = db.table.rescores
    const exact = (row: number, m: number): number => {
      let dot = 0
      let nn = 0
      for (let j = 0; j < m; j++) {
        const x = db.vectors[row * d + j]
        dot += x * query[j]
        nn += x * x
      }
      return nn > 0 ? (dot * qInv[at.get(m)!]) / Math.sqrt(nn) : 0
    }
    funnels.forEach((f, fi) => {
      let pool = pools(f, q)
      const stages = stagesFor(f, TOP, db.n, fine)
      stages.forEach((stage, si) => {
        // a stage that keeps its whole pool only reorders it, which the next stage undoes
        if (pool.length <= stage.keep && si < stages.length - 1) return
        const i = at.get(stage.dims)!
        pool = best(pool, (row) => cosine(row, i), stage.keep)
      })
      const last = stages[stages.length - 1].dims
      answers[fi].push(fine ? best(pool, (row) => exact(row, last), TOP) : pool)
    })
  })
  return answers
}

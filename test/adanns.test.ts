// The shortlist's storage (src/core/adanns.ts, src/main/adapters/usearch/storagePick.ts): one bit a
// dim says nothing of an all-positive embedding unless centred; the pick is the smallest storage
// that keeps the true top 10 at every judged K, never one that loses more; the measurement agrees
// with a real usearch index of that storage; a new index is built at the storage measured, kept with
// its measurement, reused at the next open, and an index saved before any measurement is measured.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decodeAs, holds, meanPrefix, measureStorages, pickStorage, STORAGES, type StorageRecall } from '../src/core/adanns.ts'
import { prefixCosine, prefixRows } from '../src/core/mrl.ts'
import { VectorTable } from '../src/core/vectors.ts'
import { rng } from '../src/training/linalg.ts'
import { dataLayout } from '../src/main/adapters/fs/dataLayout.ts'
import { Shortlist } from '../src/main/adapters/usearch/shortlist.ts'
import { measureTable, openShortlist } from '../src/main/adapters/usearch/storagePick.ts'

/**
 * `clusters` groups of `size` rows around random centres, every coordinate positive (as a CNN's
 * pooled ReLU features are): `spread` is each member's noise around its centre; small: the groups
 * stand apart.
 */
function clustered(clusters: number, size: number, dims: number, spread: number, seed: number): Float32Array {
  const r = rng(seed)
  const centres = Array.from({ length: clusters }, () => Float32Array.from({ length: dims }, () => 0.5 + r()))
  const out = new Float32Array(clusters * size * dims)
  for (let i = 0; i < clusters * size; i++) {
    const c = centres[i % clusters]
    for (let j = 0; j < dims; j++) out[i * dims + j] = Math.max(0.01, c[j] + spread * (r() * 2 - 1))
  }
  return out
}

/** each row scaled to unit length */
const unitRows = (v: Float32Array, dims: number): Float32Array => prefixRows(v, v.length / dims, dims, dims).rows

const tableOf = (v: Float32Array, dims: number) => VectorTable.from(dims, Int32Array.from({ length: v.length / dims }, (_, i) => i), v)

test('one bit a dim: the signs of an all-positive embedding are all alike, its centred signs tell rows apart', () => {
  const dims = 32
  const rows = unitRows(clustered(8, 50, dims, 0.3, 1), dims)
  const center = meanPrefix(rows, dims, dims)
  const distinct = (c?: Float32Array) => new Set(Array.from({ length: 400 }, (_, i) => decodeAs('b1', rows.subarray(i * dims, (i + 1) * dims), c).join(','))).size
  assert.equal(distinct(), 1, 'uncentred: one sign pattern for every row')
  assert.ok(distinct(center) >= 8, `centred: at least one pattern per cluster (${distinct(center)})`)
})

test('the pick is the smallest storage that holds at every K, and every smaller one loses more than the tolerance', () => {
  const dims = 64
  // far apart: each row's true top 10 are the other ten of its group of eleven
  const cases = [
    { name: 'groups far apart', v: clustered(270, 11, dims, 0.02, 2) },
    { name: 'groups that overlap', v: clustered(270, 11, dims, 0.6, 3) }
  ]
  const picks: string[] = []
  for (const c of cases) {
    const full = unitRows(c.v, dims)
    const measured = measureStorages({ full, fullDims: dims, ds: 32, queries: Array.from({ length: 60 }, (_, i) => i * 7), ks: [10, 40, 160] })
    const base = measured.find((m) => m.kind === 'f32')!
    const pick = pickStorage(measured)
    picks.push(pick)
    const chosen = measured.find((m) => m.kind === pick)!
    assert.ok(holds(chosen, base) || pick === 'f16', `${c.name}: ${pick} holds (${chosen.recall} against ${base.recall})`)
    for (const smaller of STORAGES.slice(0, STORAGES.indexOf(pick))) assert.ok(!holds(measured.find((m) => m.kind === smaller)!, base), `${c.name}: ${smaller} is smaller and does not hold`)
    assert.ok(chosen.bytes <= measured.find((m) => m.kind === 'f16')!.bytes)
  }
  assert.equal(picks[0], 'b1', 'groups far apart: their centred signs alone keep the top 10')
  assert.notEqual(picks[1], 'b1', 'overlapping groups: signs alone lose neighbours')
})

test("the measurement agrees with a real usearch index of each storage (the funnel's recall@10 at the same K)", () => {
  const dims = 64
  const ds = 32
  const n = 4000
  const v = clustered(400, 10, dims, 0.5, 4)
  const table = tableOf(v, dims)
  const ks = [50, 200, 800]
  const queries = Array.from({ length: 80 }, (_, i) => i * 37)
  const measured = measureStorages({ full: unitRows(v, dims), fullDims: dims, ds, queries, ks })
  const center = meanPrefix(unitRows(v, dims), dims, ds)
  const truth = queries.map((q) => {
    const s = Array.from({ length: n }, (_, i) => ({ i, s: i === q ? -Infinity : prefixCosine(v, i * dims, v, q * dims, dims) }))
    return new Set(s.sort((a, b) => b.s - a.s).slice(0, 10).map((x) => x.i))
  })
  for (const kind of STORAGES) {
    const index = Shortlist.build(table, ds, kind, undefined, center)
    const real = ks.map((k) => {
      let held = 0
      queries.forEach((q, qi) => {
        const cand = index.search(v.subarray(q * dims, (q + 1) * dims), k + 1).filter((i) => i !== q).slice(0, k)
        held += cand.filter((i) => truth[qi].has(i)).length
      })
      return held / (queries.length * 10)
    })
    const emulated = measured.find((m) => m.kind === kind)!.recall
    console.log(`# ${kind}: index ${real.map((r) => r.toFixed(3)).join(' ')}, measured ${emulated.map((r) => r.toFixed(3)).join(' ')} (K ${ks.join(', ')})`)
    real.forEach((r, i) => assert.ok(Math.abs(r - emulated[i]) <= 0.06, `${kind} at K=${ks[i]}: index ${r.toFixed(3)}, measured ${emulated[i].toFixed(3)}`))
  }
})

test('a new shortlist is built at the storage measured, kept with its measurement and reused; one saved unmeasured is measured again', () => {
  const dims = 64
  const dir = mkdtempSync(join(tmpdir(), 'mrl-adanns-'))
  try {
    const table = tableOf(clustered(270, 11, dims, 0.02, 5), dims)
    // an index from before storages were measured: f16, no measurement beside it
    Shortlist.open(dir, table, 16, 'model', 'f16')
    const first = openShortlist(dir, table, 16, 'model')
    assert.equal(first.rebuilt, true, 'an unmeasured index is measured')
    const want = pickStorage(measureTable(table, 16).measured)
    assert.equal(first.shortlist.quantization, want)
    const file = dataLayout(dir).shortlist(16, want)
    const meta = JSON.parse(readFileSync(`${file}.json`, 'utf8')) as { measured: StorageRecall[] }
    assert.deepEqual(meta.measured.map((m) => m.kind), ['f32', ...STORAGES])
    for (const other of STORAGES.filter((k) => k !== want)) assert.equal(existsSync(dataLayout(dir).shortlist(16, other)), false, `no ${other} index left beside the ${want} one`)
    const again = openShortlist(dir, table, 16, 'model')
    assert.equal(again.rebuilt, false, 'the measured index is reused')
    assert.equal(again.shortlist.quantization, want)
    assert.deepEqual(again.shortlist.search(new Float32Array(dims).fill(0.5), 5), first.shortlist.search(new Float32Array(dims).fill(0.5), 5))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

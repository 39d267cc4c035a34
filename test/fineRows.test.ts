// The f16 copy a search table rescores its last candidates from (src/core/half.ts,
// src/main/adapters/vectors/halfRows.ts): the half-precision codec against every bit pattern; rows
// whose differences lie below the byte table's step, where the bytes alone misorder the top ten
// and the copy orders them as float32 does; a copy kept in step through deletes; the batch path's
// worker reading the same copy; and no file left in the data folder.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { halfTable, toHalf } from '../src/core/half.ts'
import { prefixCosine, recallAtK } from '../src/core/mrl.ts'
import { runFunnel } from '../src/core/funnel.ts'
import { VectorTable } from '../src/core/vectors.ts'
import { rng as random } from '../src/training/linalg.ts'
import { shortFor } from '../src/core/kernels/index.ts'
import { HalfRows } from '../src/main/adapters/vectors/halfRows.ts'
import { RerankPool } from '../src/main/adapters/workers/rerankPool.ts'


test('f16: every finite bit pattern decodes and encodes back to itself, and encoding rounds to the nearest', () => {
  const t = halfTable()
  for (let h = 0; h < 65536; h++) {
    if (((h >>> 10) & 0x1f) === 31) continue // infinities and NaNs
    assert.equal(toHalf(t[h]) === 0 && h === 0x8000 ? 0x8000 : toHalf(t[h]), h, `pattern ${h.toString(16)}`)
  }
  const r = random(3)
  for (let i = 0; i < 20000; i++) {
    const x = (r() * 2 - 1) * 2 ** Math.floor(r() * 20 - 16)
    const got = t[toHalf(x)]
    // half an ulp of an 11-bit significand, or of the smallest subnormal step
    assert.ok(Math.abs(got - x) <= Math.max(Math.abs(x) * 2 ** -11, 2 ** -25), `${x} -> ${got}`)
  }
  assert.equal(toHalf(1e6), 0x7c00)
  assert.equal(toHalf(-1e-9), 0x8000)
})

/**
 * Clusters of 16 near-twins: a base row plus noise about the byte step (1/127 of the row's largest
 * value), so a query's ten nearest are in its cluster but their order is below what bytes resolve.
 */
function nearTwins(n: number, d: number, seed: number): Float32Array {
  const r = random(seed)
  const clusters = Math.ceil(n / 16)
  const base = Array.from({ length: clusters }, () => Float32Array.from({ length: d }, () => r() * 2 - 1))
  const out = new Float32Array(n * d)
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) out[i * d + j] = base[i % clusters][j] + (r() - 0.5) * NOISE
  return out
}

const NOISE = 0.02

function truthOf(rows: Float32Array, n: number, d: number, q: Float32Array, k: number): number[] {
  return Array.from({ length: n }, (_, i) => [i, prefixCosine(rows, i * d, q, 0, d)] as const)
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, k)
    .map(([i]) => i)
}

function withDir<T>(run: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'mrl-fine-'))
  try {
    return run(dir)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

test('rows that differ below the byte step: the bytes misorder the top ten, the f16 copy gives float32 order', () =>
  withDir((dir) => {
    const n = 2000
    const d = 64
    const rows = nearTwins(n, d, 7)
    const ids = Int32Array.from({ length: n }, (_, i) => i)
    const bytesOnly = VectorTable.from(d, ids, rows)
    const fine = HalfRows.create(join(dir, 'vectors'), d)
    const rescored = VectorTable.from(d, ids, rows, fine)
    const r = random(11)
    let bytesRecall = 0
    let fineRecall = 0
    const queries = 20
    for (let i = 0; i < queries; i++) {
      const q = rows.slice((i * 97 % n) * d, (i * 97 % n + 1) * d).map((x) => x + (r() - 0.5) * 0.004)
      const truth = truthOf(rows, n, d, q, 10)
      const exact = { ds: d, k: 0, dr: d }
      bytesRecall += recallAtK(runFunnel({ table: bytesOnly, shortlist: () => ({ search: () => [] }) }, { at: () => [q] }, exact, 10).hits.map((h) => h.id), truth) / queries
      fineRecall += recallAtK(runFunnel({ table: rescored, shortlist: () => ({ search: () => [] }) }, { at: () => [q] }, exact, 10).hits.map((h) => h.id), truth) / queries
    }
    assert.ok(bytesRecall < 0.9, `the bytes alone should misorder near-twins (recall ${bytesRecall})`)
    assert.ok(fineRecall >= 0.99, `the f16 copy should order them as float32 does (recall ${fineRecall})`)
    fine.close()
  }))

test('deleting rows moves their f16 copies with them: every remaining row rescores as its float32 self', () =>
  withDir((dir) => {
    const d = 300 // with the short copy
    const n = 500
    const r = random(5)
    const rows = Float32Array.from({ length: n * d }, () => r() - 0.3)
    const fine = HalfRows.create(join(dir, 'vectors'), d)
    const table = new VectorTable(d, 16, shortFor(d), fine) // grows while filling
    for (let i = 0; i < n; i++) table.set(i + 1000, rows.subarray(i * d, (i + 1) * d))
    for (let i = 0; i < n; i += 3) table.delete(i + 1000)
    table.set(1003, rows.subarray(0, d)) // a row rewritten in place
    const q = Float32Array.from({ length: d }, () => r() - 0.3)
    for (const id of table.allIds()) {
      const i = id === 1003 ? 0 : id - 1000
      const got = table.fineSlots(q, 200, [table.slotOf(id)])[0]
      assert.ok(Math.abs(got - prefixCosine(rows, i * d, q, 0, 200)) < 2e-4, `photo ${id}`)
    }
    fine.close()
  }))

test('the batch path rescores in its worker through the same copy, and answers as single queries do', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mrl-fine-'))
  const d = 64
  const n = 3000
  const rows = nearTwins(n, d, 9)
  const fine = HalfRows.create(join(dir, 'vectors'), d)
  const table = VectorTable.from(d, Int32Array.from({ length: n }, (_, i) => i), rows, fine)
  const pool = new RerankPool(table)
  try {
    const queries = Array.from({ length: 12 }, (_, i) => rows.slice(i * 31 * d, (i * 31 + 1) * d))
    let recall = 0
    const config = { ds: 16, k: 400, dr: d }
    const shortlists = queries.map((q) => runFunnel({ table, shortlist: () => ({ search: () => [] }) }, { at: () => [q] }, { ds: 16, k: 0, dr: 16 }, 400).hits.map((h) => h.id))
    const batch = await pool.rerank(queries, shortlists, config, 10)
    queries.forEach((q, i) => {
      const single = runFunnel({ table, shortlist: () => ({ search: () => shortlists[i] }) }, { at: () => [q] }, config, 10).hits
      assert.deepEqual(batch[i].map((h) => h.id), single.map((h) => h.id), `query ${i}`)
      recall += recallAtK(batch[i].map((h) => h.id), truthOf(rows, n, d, q, 10)) / queries.length
    })
    // f16 may still swap a near-tie at the tenth place; the bytes alone get 0.88 on such rows
    assert.ok(recall >= 0.98, `batch recall@10 against float32 ${recall}`)
  } finally {
    await pool.close()
    fine.close()
    // the copy is a scratch file, unlinked while open: nothing is left in the folder
    assert.deepEqual(readdirSync(join(dir, 'vectors')), [])
    rmSync(dir, { recursive: true, force: true })
  }
})

test('a copy given up (closed; a write that fails on a full disk does the same, diskfull.test.ts) no longer rescores: indexing goes on and search ranks on the bytes', () =>
  withDir((dir) => {
    const d = 64
    const n = 300
    const rows = nearTwins(n, d, 13)
    const fine = HalfRows.create(join(dir, 'vectors'), d)
    const table = new VectorTable(d, 16, shortFor(d), fine)
    for (let i = 0; i < 100; i++) table.set(i, rows.subarray(i * d, (i + 1) * d))
    assert.equal(table.rescores, true)
    fine.close()
    for (let i = 100; i < n; i++) table.set(i, rows.subarray(i * d, (i + 1) * d))
    table.delete(5)
    assert.equal(table.rescores, false)
    assert.equal(table.size, n - 1)
    const q = rows.subarray(200 * d, 201 * d)
    const hits = runFunnel({ table, shortlist: () => ({ search: () => [] }) }, { at: () => [q] }, { ds: d, k: 0, dr: d }, 10).hits
    assert.equal(hits.length, 10)
    assert.equal(hits[0].id, 200)
  }))

// Exact scans over the table: the usearch full-dim path and the JS prefix path agree with a plain
// cosine ranking, whatever buffer the query lives in.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { prefixCosine } from '../src/core/mrl.ts'
import { scanTable } from '../src/core/scan.ts'
import { VectorTable } from '../src/core/vectors.ts'
import { usearchFullScan } from '../src/main/adapters/usearch/exactScan.ts'

const d = 64
const n = 2000
const rows = new Float32Array(n * d).map((_, i) => Math.sin(i * 0.731) + 0.3 * Math.cos(i * 0.017))
const table = VectorTable.from(d, Int32Array.from({ length: n }, (_, i) => i * 3), rows)

function bruteForce(q: Float32Array, dims: number, k: number): number[] {
  return Array.from({ length: n }, (_, s) => ({ id: s * 3, score: prefixCosine(rows, s * d, q, 0, dims) }))
    .sort((a, b) => b.score - a.score || a.id - b.id)
    .slice(0, k)
    .map((h) => h.id)
}

test('full-dim and prefix scans match a brute-force cosine ranking, for a query that is a view into a larger buffer', () => {
  const queries = new Float32Array(5 * d).map((_, i) => Math.cos(i * 0.29))
  for (let r = 0; r < 5; r++) {
    const view = queries.subarray(r * d, (r + 1) * d) // usearch ignores byteOffset: scan.ts must copy
    for (const dims of [8, 32, d]) assert.deepEqual(scanTable(table, view, dims, 10, undefined, usearchFullScan).map((h) => h.id), bruteForce(view, dims, 10), `row ${r}, ${dims} dims`)
    assert.deepEqual(scanTable(table, view, d, 10).map((h) => h.id), bruteForce(view, d, 10), `row ${r}, the JS full-dim path`)
  }
})

test('excluded ids are skipped and the answer is still `keep` long', () => {
  const q = rows.slice(0, d)
  const top = scanTable(table, q, d, 5, undefined, usearchFullScan)
  assert.equal(top[0].id, 0)
  const without = scanTable(table, q, d, 5, new Set([0]), usearchFullScan)
  assert.equal(without.length, 5)
  assert.ok(!without.some((h) => h.id === 0))
})

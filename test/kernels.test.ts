// The SIMD kernels and the byte table they read: every score against a plain JS cosine, on random
// rows (u8 and i8, prefixes with and without a tail under 8 dims) and on the bundled model's real
// embeddings of CIFAR-10 photos; the table's set/delete/grow; the exact scan and the funnel's
// rerank against brute force.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { execFileSync } from 'node:child_process'
import { prefixCosine, recallAtK } from '../src/core/mrl.ts'
import { scanTable } from '../src/core/scan.ts'
import { runFunnel } from '../src/core/funnel.ts'
import { VectorTable } from '../src/core/vectors.ts'
import { rng as random } from '../src/training/linalg.ts'
import { CHUNK } from '../src/core/kernels/index.ts'
import { cifarSplit, ROOT } from '../fixtures/photos.ts'


function rowsOf(n: number, d: number, signed: boolean, seed: number): Float32Array {
  const r = random(seed)
  // early dims larger, like an MRL embedding
  return new Float32Array(n * d).map((_, i) => (signed ? r() - 0.5 : r()) * (1 + 8 / (1 + (i % d))))
}

/** JS reference: cosine of the table's own stored row (bytes x scale) and the float query. */
function reference(table: VectorTable, id: number, q: Float32Array, dims: number): number {
  return prefixCosine(table.vector(id), 0, q, 0, dims)
}

for (const [signed, d] of [[false, 100], [true, 100], [false, 256], [true, 256]] as const) {
  test(`kernel scores equal a JS cosine of the stored ${signed ? 'i8' : 'u8'} rows (${d} dims${d >= 256 ? ', with the short copy' : ''}), on prefixes with and without a tail`, () => {
    const n = 300
    const rows = rowsOf(n, d, signed, 7)
    const table = VectorTable.from(d, Int32Array.from({ length: n }, (_, i) => i), rows)
    assert.equal(table.signed, signed)
    const q = rowsOf(1, d, signed, 99)
    // at and around the cut between a row's two parts (128 of 256), and past it with a tail
    for (const dims of [8, 12, 16, 24, 32, 33, 64, 99, 127, 128, 129, 200, d].filter((x) => x <= d)) {
      const slots = Int32Array.from({ length: n }, (_, i) => n - 1 - i)
      const gathered = table.scoreSlots(q, dims, slots)
      let seen = 0
      table.scanChunks(q, dims, (scores, first, scale) => {
        for (let i = 0; i < scores.length; i++) {
          const want = reference(table, table.idAt(first + i), q, dims)
          // the query is rounded to 14 bits: scores agree to ~1e-4
          assert.ok(Math.abs(scores[i] * scale - want) < 1e-3, `${dims} dims, row ${first + i}: ${scores[i] * scale} vs ${want}`)
          seen++
        }
      })
      assert.equal(seen, n)
      for (let i = 0; i < n; i++) assert.ok(Math.abs(gathered[i] - reference(table, slots[i], q, dims)) < 1e-3, `gather ${dims} dims, slot ${slots[i]}`)
    }
  })
}

for (const d of [64, 300]) test(`stored rows give back the embedding to within one byte step, and cosines to the float rows stay close (${d} dims${d >= 256 ? ', a row in two parts' : ''})`, () => {
  const rows = rowsOf(50, d, false, 3)
  const table = VectorTable.from(d, Int32Array.from({ length: 50 }, (_, i) => i), rows)
  for (let i = 0; i < 50; i++) {
    const v = table.vector(i)
    const max = Math.max(...rows.subarray(i * d, (i + 1) * d))
    for (let j = 0; j < d; j++) assert.ok(Math.abs(v[j] - rows[i * d + j]) <= max / 255 / 2 + 1e-6)
    assert.ok(prefixCosine(v, 0, rows, i * d, d) > 0.9999)
  }
})

test('a first negative value turns the table signed without losing the rows already there', () => {
  const d = 16
  const table = new VectorTable(d, 16)
  const pos = rowsOf(20, d, false, 5)
  for (let i = 0; i < 20; i++) table.set(i, pos.subarray(i * d, (i + 1) * d))
  const before = table.vector(3)
  const neg = rowsOf(1, d, true, 6)
  table.set(100, neg)
  assert.ok(table.signed)
  assert.ok(prefixCosine(table.vector(3), 0, before, 0, d) > 0.9999)
  assert.ok(prefixCosine(table.vector(100), 0, neg, 0, d) > 0.999)
  assert.deepEqual(scanTable(table, neg, d, 1)[0].id, 100)
})

test('delete moves the last row into the hole; set replaces; ids far apart and growth past the first capacity work', () => {
  const d = 24
  const table = new VectorTable(d, 16)
  const n = 2 * CHUNK + 100 // three blocks: the last row moves across blocks
  const rows = rowsOf(n, d, false, 11)
  const ids = Array.from({ length: n }, (_, i) => (i === 7 ? 2_000_000_000 : i * 2))
  ids.forEach((id, i) => table.set(id, rows.subarray(i * d, (i + 1) * d)))
  assert.equal(table.size, n)
  table.delete(ids[10])
  table.delete(ids[10]) // twice: no effect
  assert.equal(table.size, n - 1)
  assert.ok(!table.has(ids[10]))
  for (const i of [0, 7, CHUNK + 3, n - 1]) assert.ok(prefixCosine(table.vector(ids[i]), 0, rows, i * d, d) > 0.9999, `row ${i}`)
  assert.equal(table.slotOf(ids[n - 1]), 10)
  table.set(ids[0], rows.subarray(5 * d, 6 * d))
  assert.equal(table.size, n - 1)
  assert.equal(scanTable(table, rows.subarray(5 * d, 6 * d), d, 2).map((h) => h.id).sort().join(), [ids[0], ids[5]].sort().join())
  assert.throws(() => table.set(1, new Float32Array(d).fill(NaN)), /non-finite/)
})

test('the exact scan over more than one chunk and the funnel rerank agree with brute force on the stored rows', () => {
  const d = 32
  const n = CHUNK + 500
  const rows = rowsOf(n, d, false, 21)
  const table = VectorTable.from(d, Int32Array.from({ length: n }, (_, i) => i + 5), rows)
  const q = rowsOf(1, d, false, 22)
  for (const dims of [8, 32]) {
    const brute = Array.from({ length: n }, (_, i) => ({ id: i + 5, score: reference(table, i + 5, q, dims) }))
      .sort((a, b) => b.score - a.score || a.id - b.id)
      .slice(0, 20)
      .map((h) => h.id)
    const scanned = scanTable(table, q, dims, 20, new Set([brute[0]])).map((h) => h.id)
    assert.equal(recallAtK(scanned, brute.slice(1)), 1, `${dims} dims`)
    const pool = { search: () => brute.slice().reverse() }
    const hits = runFunnel({ table, shortlist: () => pool }, { at: () => [q] }, { ds: 8, k: 20, dr: dims }, 5).hits.map((h) => h.id)
    assert.deepEqual(hits, brute.slice(0, 5))
  }
})

test('the batch rerank on two threads (a worker over the same memory) gives runFunnel its answers', async () => {
  const { RerankPool } = await import('../src/main/adapters/workers/rerankPool.ts')
  const d = 64
  const n = 5000
  const rows = rowsOf(n, d, true, 31)
  const table = VectorTable.from(d, Int32Array.from({ length: n }, (_, i) => i * 2 + 1), rows)
  const queries = Array.from({ length: 9 }, (_, i) => rows.slice(i * 37 * d, (i * 37 + 1) * d))
  const shortlists = queries.map((q) => scanTable(table, q, 16, 300).map((h) => h.id))
  const pool = new RerankPool(table)
  try {
    for (const config of [{ ds: 16, k: 300, dr: 64 }, { ds: 16, k: 300, dr: 64, via: [{ dims: 32, keep: 50 }] }]) {
      const batch = await pool.rerank(queries, shortlists, config, 10)
      queries.forEach((q, i) => {
        const one = runFunnel({ table, shortlist: () => ({ search: () => shortlists[i] }) }, { at: () => [q] }, config, 10).hits
        assert.deepEqual(batch[i].map((h) => h.id), one.map((h) => h.id), `query ${i}`)
        batch[i].forEach((h, j) => assert.ok(Math.abs(h.score - one[j].score) < 1e-6))
      })
    }
  } finally {
    await pool.close()
  }
})

test('the self-join gives each row the funnel answer for its own vector, the row itself left out', async () => {
  const { nearestOfEach } = await import('../src/main/adapters/workers/rerankPool.ts')
  const { Shortlist } = await import('../src/main/adapters/usearch/shortlist.ts')
  const d = 64
  const n = 3000
  const rows = rowsOf(n, d, false, 41)
  const table = VectorTable.from(d, Int32Array.from({ length: n }, (_, i) => i + 100), rows)
  const index = Shortlist.build(table, 16)
  const ids = [100, 101, 2000, 3099]
  const config = { ds: 16, k: 200, dr: 64 }
  const got = await nearestOfEach(table, index, ids, config, 5)
  ids.forEach((id, i) => {
    const q = table.vector(id)
    const one = runFunnel({ table, shortlist: () => ({ search: () => index.search(q, 201) }) }, { at: () => [q], exclude: new Set([id]) }, config, 5).hits
    assert.deepEqual(got[i].map((h) => h.id), one.map((h) => h.id), `row ${id}`)
    assert.ok(!got[i].some((h) => h.id === id))
  })
})

test('on real embeddings (the bundled model, 600 CIFAR-10 photos) the byte table ranks as float32 cosine does', async () => {
  const { loadModel } = await import('../src/main/adapters/models/modelCard.ts')
  const { Embedder } = await import('../src/main/adapters/onnx/embedder.ts')
  const { toTensor } = await import('../src/main/adapters/image/preprocess.ts')
  const model = await loadModel()
  const { card } = model
  const root = cifarSplit('test')
  const files = readdirSync(root)
    .sort()
    .flatMap((c) => readdirSync(join(root, c)).sort().slice(0, 60).map((f) => join(root, c, f)))
  const plane = 3 * card.input.size * card.input.size
  const batch = new Float32Array(files.length * plane)
  await Promise.all(files.map((f, i) => toTensor(f, card.input, batch, i * plane)))
  const embedder = await Embedder.create(model)
  const d = card.embedding_dim
  const emb = (await embedder.run(batch, files.length)).embeddings.slice(0, files.length * d)
  await embedder.release()
  const n = files.length
  const table = VectorTable.from(d, Int32Array.from({ length: n }, (_, i) => i), emb)
  let recall = 0
  let worst = 0
  for (let qi = 0; qi < n; qi += 10) {
    const q = emb.subarray(qi * d, (qi + 1) * d)
    for (const dims of [16, 64, d]) {
      const truth = Array.from({ length: n }, (_, i) => ({ id: i, score: prefixCosine(emb, i * d, q, 0, dims) }))
        .sort((a, b) => b.score - a.score || a.id - b.id)
      const got = scanTable(table, q, dims, 10)
      for (const h of got) worst = Math.max(worst, Math.abs(h.score - prefixCosine(emb, h.id * d, q, 0, dims)))
      if (dims === d) recall += recallAtK(got.map((h) => h.id), truth.slice(0, 10).map((h) => h.id))
    }
  }
  recall /= n / 10
  assert.ok(worst < 0.01, `largest score difference to float32 cosine ${worst}`)
  assert.ok(recall >= 0.97, `recall@10 of the byte table against float32 ${recall}`)
})

test('the generated kernel module is what scripts/build-kernels.mjs builds from its text', () => {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-kernels.mjs'), '--check'], { stdio: 'pipe' })
})

test('a filter that still names a photo removed from the table (read before the search awaited) answers without it, and does not fail', () => {
  const d = 32
  const rows = rowsOf(40, d, false, 21)
  const table = VectorTable.from(d, Int32Array.from({ length: 40 }, (_, i) => i), rows)
  const allowed = new Set([1, 2, 3, 4, 5])
  table.delete(3)
  const res = runFunnel({ table, shortlist: () => ({ search: () => [] }) }, { at: () => [rows.subarray(0, d)] }, { ds: 8, k: 2, dr: d }, 10, allowed)
  assert.deepEqual(res.hits.map((h) => h.id).sort(), [1, 2, 4, 5])
})

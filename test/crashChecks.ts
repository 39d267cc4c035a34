// What must hold after the app is killed at any moment, shared by the kill -9 tests.
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Engine } from '../src/main/app/engine.ts'
import { Shortlist, fingerprint, type Quantization } from '../src/main/adapters/usearch/shortlist.ts'

/** The seeded generator training uses (mulberry32), so a failing run can be replayed with MRL_SEED. */
export { rng as random } from '../src/training/linalg.ts'

/** The seed from MRL_SEED, or a fresh one; printed either way so a failure can be replayed. */
export function seedFromEnv(): number {
  const seed = Number(process.env.MRL_SEED ?? Date.now() % 1_000_000)
  console.log(`# seed ${seed} (MRL_SEED=${seed} replays these kill moments)`)
  return seed
}

const sha1File = (path: string) => createHash('sha1').update(readFileSync(path)).digest('hex')

/** Whole rows only, once each, matching their files and vectors. Returns the row count. */
export async function assertConsistent(engine: Engine): Promise<number> {
  const rows = await engine.store.meta()
  assert.equal(new Set(rows.map((r) => r.path)).size, rows.length, 'no duplicate paths')
  assert.equal(new Set(rows.map((r) => r.id)).size, rows.length, 'no duplicate ids')
  const { ids, vectors } = await engine.store.embeddings()
  assert.equal(ids.length, rows.length, 'every row has its embedding')
  assert.equal(vectors.length, rows.length * engine.store.dims, 'every embedding is whole')
  assert.ok(vectors.every(Number.isFinite), 'no torn embeddings')
  assert.equal(engine.vectors.size, rows.length)
  for (const r of rows) {
    assert.equal(r.hash, sha1File(r.path), `row for ${r.path} describes its file`)
    assert.ok(r.width > 0 && r.label !== undefined && r.model === engine.modelId, 'all fields written')
  }
  return rows.length
}

/** Every persisted shortlist is checked against the table (and search space) and rebuilt when it disagrees. */
export function assertShortlistsVerified(engine: Engine, data: string): void {
  const files = readdirSync(data).filter((f) => /^shortlist-\d+-\w+\.usearch$/.test(f))
  assert.ok(files.length > 0, 'the completed first run persisted a shortlist')
  for (const f of files) {
    const [, dims, quant] = /^shortlist-(\d+)-(\w+)\.usearch$/.exec(f)!
    const want = fingerprint(engine.vectors.allIds(), Number(dims), quant as Quantization, engine.spaceId)
    let stored: string | null = null
    try {
      stored = JSON.parse(readFileSync(join(data, `${f}.json`), 'utf8')).fingerprint
    } catch {
      // torn or missing: must be rebuilt
    }
    const { shortlist, rebuilt } = Shortlist.open(data, engine.vectors, Number(dims), engine.spaceId, quant as Quantization)
    assert.equal(rebuilt, stored !== want, `${f}: rebuilt exactly when its fingerprint disagrees`)
    assert.equal(shortlist.size, engine.vectors.size)
    assert.equal(JSON.parse(readFileSync(join(data, `${f}.json`), 'utf8')).fingerprint, want)
    const id = engine.vectors.idAt(0)
    assert.equal(shortlist.search(engine.vectors.vector(id), 1)[0], id, 'a photo finds itself')
  }
}

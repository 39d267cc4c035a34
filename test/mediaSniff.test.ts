// What a file is, from its first bytes: the raster formats browsers show as they are, the photo
// formats rendered to JPEG, and everything else (SVG, HTML, XML, PDF, scripts, empty) refused,
// whatever the file is called.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import sharp from 'sharp'
import { SNIFF_BYTES, sniffMediaType } from '../src/main/adapters/media/mediaType.ts'

const image = () => sharp({ create: { width: 16, height: 16, channels: 3, background: { r: 200, g: 40, b: 40 } } })

test('raster photos are recognised from their bytes as sharp writes them', async () => {
  const cases: [string, Buffer, unknown][] = [
    ['jpeg', await image().jpeg().toBuffer(), { kind: 'shown', type: 'image/jpeg' }],
    ['png', await image().png().toBuffer(), { kind: 'shown', type: 'image/png' }],
    ['gif', await image().gif().toBuffer(), { kind: 'shown', type: 'image/gif' }],
    ['webp', await image().webp().toBuffer(), { kind: 'shown', type: 'image/webp' }],
    ['avif', await image().avif().toBuffer(), { kind: 'shown', type: 'image/avif' }],
    ['tiff', await image().tiff().toBuffer(), { kind: 'render', format: 'tiff' }]
  ]
  for (const [name, bytes, expected] of cases) assert.deepEqual(sniffMediaType(bytes.subarray(0, SNIFF_BYTES)), expected, name)
  // a HEIC (HEVC) file's ftyp box: rendered, not shown
  const heic = Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from('ftypheic'), Buffer.from([0, 0, 0, 0]), Buffer.from('mif1heic')])
  assert.deepEqual(sniffMediaType(heic), { kind: 'render', format: 'heif' })
})

test('active and non-photo formats are never a media type, whatever their name', () => {
  const refused = [
    '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    '<?xml version="1.0"?><svg/>',
    '\ufeff<svg/>',
    '<!doctype html><script>alert(1)</script>',
    '<html><body>',
    '%PDF-1.7',
    '#!/bin/sh\nrm -rf ~',
    'GIF8', // cut short
    'RIFF\u0000\u0000\u0000\u0000WAVEfmt ',
    ''
  ]
  for (const text of refused) assert.equal(sniffMediaType(Buffer.from(text)), null, JSON.stringify(text.slice(0, 20)))
  // an MP4 is ISO-BMFF too, but not an image brand
  assert.equal(sniffMediaType(Buffer.concat([Buffer.from([0, 0, 0, 20]), Buffer.from('ftypisom'), Buffer.from([0, 0, 2, 0]), Buffer.from('isom')])), null)
})

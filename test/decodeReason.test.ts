// A skipped file's reason says what is wrong in words: a file cut short, a format the app does not
// read, a HEIC photo handed to libvips, which cannot decode HEVC (it first prints its seek errors,
// which read as damage), from the decoder's own messages. (The app decodes HEIC with libheif:
// test/heic.test.ts.)
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import sharp from 'sharp'
import { decodeReason } from '../src/main/adapters/image/photoFile.ts'
import { removeDirs, tempDir } from '../fixtures/photos.ts'

const decoderMessage = async (input: Buffer | string): Promise<string> => {
  try {
    await sharp(input).raw().toBuffer()
  } catch (err) {
    return (err as Error).message
  }
  throw new Error('decoded')
}

test('a JPEG cut short is said to be cut short', async () => {
  const jpeg = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#3366aa' } }).jpeg().toBuffer()
  assert.match(decodeReason(await decoderMessage(jpeg.subarray(0, jpeg.length / 2))), /cut short/)
})

test('a HEIC photo libvips cannot decode is not called damaged: the reason says it is a HEIC photo', async (t) => {
  // libvips 8.18's message for an HEVC-coded HEIC (what sharp's prebuilt binaries print here)
  const recorded = 'p.heic: bad seek to 456029\np.heic: bad seek to 456001\nheif: Error while loading plugin: Support for this compression format has not been built in: HEVC (a suitable decoder plugin is libde265) (11.6003)'
  assert.match(decodeReason(recorded), /HEIC photo .*cannot/)
  assert.doesNotMatch(decodeReason(recorded), /damaged/)
  if (!existsSync('/usr/bin/heif-enc')) return t.diagnostic('heif-enc (libheif-examples) is not installed: only the recorded message was checked')
  const dir = tempDir('mrl-heic-')
  try {
    const png = join(dir, 'p.png')
    writeFileSync(png, await sharp({ create: { width: 320, height: 240, channels: 3, background: '#884422' } }).png().toBuffer())
    execFileSync('/usr/bin/heif-enc', ['-q', '60', png, '-o', join(dir, 'p.heic')], { stdio: 'ignore' })
    const reason = decodeReason(await decoderMessage(readFileSync(join(dir, 'p.heic'))))
    assert.match(reason, /HEIC photo/, reason)
  } finally {
    removeDirs(dir)
  }
})

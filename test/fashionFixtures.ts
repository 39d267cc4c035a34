// Fashion-MNIST (Debian's dataset-fashion-mnist): photos the bundled model was never trained on,
// for the training tests and benchmark. Images are 28x28 gray; written as PNGs they are what a
// user's folder would hold.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import sharp from 'sharp'

export const FASHION_DIR = process.env.FASHION_MNIST_DIR ?? '/usr/share/datasets/fashion-mnist'
export const FASHION_CLASSES = ['t-shirt', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt', 'sneaker', 'bag', 'ankle-boot']

export interface FashionSplit {
  n: number
  images: Uint8Array
  labels: Uint8Array
}

export function readFashion(split: 'train' | 't10k'): FashionSplit {
  const images = gunzipSync(readFileSync(join(FASHION_DIR, `${split}-images-idx3-ubyte.gz`)))
  const labels = gunzipSync(readFileSync(join(FASHION_DIR, `${split}-labels-idx1-ubyte.gz`)))
  const n = images.readUInt32BE(4)
  return { n, images: new Uint8Array(images.buffer, images.byteOffset + 16, n * 784), labels: new Uint8Array(labels.buffer, labels.byteOffset + 8, n) }
}

/** One image as a PNG. */
export function fashionPng(split: FashionSplit, i: number): Promise<Buffer> {
  return sharp(Buffer.from(split.images.subarray(i * 784, (i + 1) * 784)), { raw: { width: 28, height: 28, channels: 1 } }).png().toBuffer()
}

/** A fresh folder with the first `perClass` train images of each of `classes`, as class/NNNNN.png. */
export async function fashionLibrary(perClass: number, classes = FASHION_CLASSES): Promise<string> {
  const split = readFashion('train')
  const dest = mkdtempSync(join(tmpdir(), 'mrl-fashion-'))
  const taken = new Map<number, number>()
  for (let i = 0; i < split.n; i++) {
    const c = split.labels[i]
    const name = FASHION_CLASSES[c]
    if (!classes.includes(name) || (taken.get(c) ?? 0) >= perClass) continue
    taken.set(c, (taken.get(c) ?? 0) + 1)
    mkdirSync(join(dest, name), { recursive: true })
    writeFileSync(join(dest, name, `${String(i).padStart(5, '0')}.png`), await fashionPng(split, i))
    if (classes.every((cl) => (taken.get(FASHION_CLASSES.indexOf(cl)) ?? 0) >= perClass)) break
  }
  return dest
}

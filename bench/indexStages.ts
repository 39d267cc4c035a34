// `npm run bench:stages`: indexing real photos at 12 megapixels, stage by stage, so the bottleneck
// is visible. A benchmark: it prints numbers and sets no targets.
//
// The folder (made once into bench/cache/real12mp): the real photographs of test/realPhotos.json
// (Debian wallpapers and scikit-image samples, `photo: true`), each upscaled (Lanczos-3, cover) to
// 4000x3000 at four crops (centre, start, end, mirrored), JPEG q90 with EXIF; plus a few of them as
// 12-MP AVIF, PNG and HEIC (HEIC where heif-enc is installed: libheif-examples).
//
// What it prints:
//   1. per-stage CPU time per photo, in this process, one photo at a time (readPhoto's own laps:
//      read, hash, header, decode shrunk on load, model input, thumbnail, EXIF), then inference
//      (onnxruntime on the model inputs, batches of 32) and the LanceDB commit (32 rows a commit);
//      and the same photos decoded the way indexing did before (header, full-size tensor, separate
//      thumbnail) for comparison;
//   2. the embeddings of the new model input against the old one (cosine, real photos and CIFAR);
//   3. raw model throughput (onnxruntime alone on the preprocessed inputs, the app's settings) and
//      the whole CLI's indexing throughput on the same folder (node out/main/cli.js index), and
//      their ratio; the load average beside each.
//
//   npm run bench:stages [-- --photos N] [--no-cli] [--cifar N] [--json FILE]
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, readdirSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import * as lancedb from '@lancedb/lancedb'
import { ROOT, cifarSplit, tempDir } from '../fixtures/photos'
import { loadModel } from '../src/main/adapters/models/modelCard'
import { Embedder } from '../src/main/adapters/onnx/embedder'
import { readPhoto, type StageTimes } from '../src/main/adapters/image/photoFile'
import { MAX_PIXELS, toTensor, type InputSpec } from '../src/main/adapters/image/preprocess'
import { prefixCosine } from '../src/core/mrl'

const CACHE = join(ROOT, 'bench', 'cache', 'real12mp')
const CLI = join(ROOT, 'out', 'main', 'cli.js')
const W = 4000
const H = 3000
const argv = process.argv.slice(2)
const value = (f: string) => (argv.includes(f) ? argv[argv.indexOf(f) + 1] : undefined)
const load = () => loadavg().map((x) => x.toFixed(2)).join(' / ')
const log = (s: string) => console.log(s)

// ---------------------------------------------------------------- the folder

async function makeFolder(): Promise<{ jpegs: string[]; others: string[] }> {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'test', 'realPhotos.json'), 'utf8')) as { photos: { path: string; photo: boolean }[]; install: string }
  const sources = manifest.photos.filter((p) => p.photo && existsSync(p.path)).map((p) => p.path)
  if (!sources.length) throw new Error(`no real photos installed: ${manifest.install}`)
  const jpegDir = join(CACHE, 'jpeg')
  const otherDir = join(CACHE, 'other')
  mkdirSync(jpegDir, { recursive: true })
  mkdirSync(otherDir, { recursive: true })
  const crops = ['centre', 'start', 'end', 'mirror'] as const
  let made = 0
  for (const [i, src] of sources.entries()) {
    for (const crop of crops) {
      const dest = join(jpegDir, `${String(i).padStart(3, '0')}-${crop}.jpg`)
      if (existsSync(dest)) continue
      let img = sharp(src, { limitInputPixels: MAX_PIXELS }).rotate()
      if (crop === 'mirror') img = img.flop()
      const position = crop === 'start' ? 'left top' : crop === 'end' ? 'right bottom' : 'centre'
      await img
        .resize(W, H, { fit: 'cover', position, kernel: 'lanczos3' })
        .removeAlpha()
        .jpeg({ quality: 90 })
        .withExif({ IFD0: { Make: 'MRL bench', Model: 'upscaled wallpaper', DateTime: '2024:06:01 12:00:00' } })
        .toFile(`${dest}.part`)
      renameSync(`${dest}.part`, dest) // an interrupted run leaves no half photo
      made++
    }
  }
  // a few other formats, from the first JPEGs
  const base = readdirSync(jpegDir).filter((f) => f.endsWith('-centre.jpg')).sort().slice(0, 4)
  for (const [i, f] of base.entries()) {
    const src = join(jpegDir, f)
    for (const [ext, out] of [
      ['avif', (d: string) => sharp(src).avif({ quality: 60, effort: 2 }).toFile(d)],
      ['png', (d: string) => sharp(src).png({ compressionLevel: 6 }).toFile(d)]
    ] as const) {
      const dest = join(otherDir, `${i}.${ext}`)
      if (!existsSync(dest)) {
        await out(`${dest}.part.${ext}`)
        renameSync(`${dest}.part.${ext}`, dest)
        made++
      }
    }
    const heic = join(otherDir, `${i}.heic`)
    if (!existsSync(heic) && existsSync('/usr/bin/heif-enc')) {
      execFileSync('/usr/bin/heif-enc', ['-q', '60', src, '-o', heic], { stdio: 'ignore' })
      made++
    }
  }
  if (made) log(`made ${made} files in ${CACHE}`)
  const list = (d: string) => readdirSync(d).filter((f) => !f.includes('.part')).sort().map((f) => join(d, f))
  return { jpegs: list(jpegDir), others: list(otherDir) }
}

// ---------------------------------------------------------------- the way indexing decoded before

/** The model input as indexing made it before: decoded from the full file straight to the input size. */
async function oldTensor(input: string | Buffer, spec: InputSpec, out: Float32Array, offset: number): Promise<void> {
  const { data } = await sharp(input, { limitInputPixels: MAX_PIXELS, failOn: 'error' })
    .rotate()
    .resize(spec.size, spec.size, { fit: 'cover', position: 'centre' })
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true })
  const plane = spec.size * spec.size
  for (let c = 0; c < 3; c++) for (let i = 0; i < plane; i++) out[offset + c * plane + i] = (data[i * 3 + c] / 255 - spec.mean[c]) / spec.std[c]
}

async function oldDecode(path: string, spec: InputSpec, out: Float32Array): Promise<number> {
  const t0 = performance.now()
  const buf = readFileSync(path)
  await sharp(buf, { limitInputPixels: MAX_PIXELS }).metadata()
  await oldTensor(buf, spec, out, 0)
  await sharp(buf, { limitInputPixels: MAX_PIXELS }).rotate().resize(320, 320, { fit: 'inside', withoutEnlargement: true }).webp({ quality: 82 }).toBuffer()
  return performance.now() - t0
}

// ---------------------------------------------------------------- measurements

const cosine = (a: Float32Array, b: Float32Array) => prefixCosine(a, 0, b, 0, a.length)
const pct = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]

async function embedAll(embedder: Embedder, tensors: Float32Array, n: number, plane: number): Promise<{ vectors: Float32Array[]; ms: number }> {
  const vectors: Float32Array[] = []
  const t0 = performance.now()
  for (let i = 0; i < n; i += 32) {
    const k = Math.min(32, n - i)
    const out = await embedder.run(tensors.subarray(i * plane, (i + k) * plane), k)
    const d = out.embeddings.length / k
    for (let j = 0; j < k; j++) vectors.push(out.embeddings.slice(j * d, (j + 1) * d))
  }
  return { vectors, ms: performance.now() - t0 }
}

async function main(): Promise<void> {
  const { jpegs: allJpegs, others } = await makeFolder()
  const jpegs = allJpegs.slice(0, Number(value('--photos') ?? allJpegs.length))
  const model = await loadModel()
  const spec = model.card.input
  const plane = 3 * spec.size * spec.size
  log(`machine: ${cpus().length} x ${cpus()[0]?.model}; sharp ${sharp.versions.sharp} (libvips ${sharp.versions.vips}), sharp.concurrency() ${sharp.concurrency()}; model ${model.card.name} @${spec.size}px`)
  log(`folder: ${jpegs.length} JPEGs ${W}x${H} q90 (${(jpegs.reduce((s, f) => s + readFileSync(f).length, 0) / jpegs.length / 1e6).toFixed(2)} MB each) + ${others.length} others, ${CACHE}`)

  // 1. stages, one photo at a time
  sharp.cache(false)
  const roots = { roots: [realpathSync(CACHE)], exclude: [] }
  const times: StageTimes = { read: 0, hash: 0, header: 0, decode: 0, tensor: 0, thumbnail: 0, exif: 0 }
  const tensors = new Float32Array(jpegs.length * plane)
  const thumbs = tempDir('mrl-bench-thumbs-')
  log(`\nload ${load()} before the stages`)
  for (const f of jpegs.slice(0, 3)) await readPhoto(f, roots, spec, new Float32Array(plane), 0, join(thumbs, 'warm.webp')) // warm-up
  for (const [i, f] of jpegs.entries()) await readPhoto(f, roots, spec, tensors, i * plane, join(thumbs, `${i}.webp`), times)
  const embedder = await Embedder.create(model)
  await embedAll(embedder, tensors, Math.min(64, jpegs.length), plane) // warm-up
  const inference = await embedAll(embedder, tensors, jpegs.length, plane)
  const db = await lancedb.connect(tempDir('mrl-bench-lance-'))
  const rows = inference.vectors.map((v, id) => ({ id, path: jpegs[id], hash: 'x'.repeat(40), embedding: Array.from(v) }))
  const table = await db.createTable('t', rows.slice(0, 1))
  const tc = performance.now()
  for (let i = 1; i < rows.length; i += 32) await table.add(rows.slice(i, i + 32))
  const commitMs = (performance.now() - tc) / Math.max(1, rows.length - 1)
  let oldMs = 0
  const scratch = new Float32Array(plane)
  for (const f of jpegs) oldMs += await oldDecode(f, spec, scratch)
  const n = jpegs.length
  const stages: [string, number][] = [
    ['read (one open, one read)', times.read / n],
    ['hash (sha1)', times.hash / n],
    ['header (format, size)', times.header / n],
    ['decode, shrunk on load', times.decode / n],
    ['model input from raster', times.tensor / n],
    ['thumbnail (webp)', times.thumbnail / n],
    ['EXIF (first 128 KB)', times.exif / n],
    ['inference (batches of 32)', inference.ms / n],
    ['LanceDB commit (32 a commit)', commitMs]
  ]
  const total = stages.reduce((s, [, ms]) => s + ms, 0)
  log(`\nper photo, one at a time in one thread (${n} photos; load ${load()} after):`)
  log(`${'stage'.padEnd(32)} ${'ms'.padStart(7)} ${'share'.padStart(6)}`)
  for (const [name, ms] of stages) log(`${name.padEnd(32)} ${ms.toFixed(2).padStart(7)} ${((100 * ms) / total).toFixed(0).padStart(5)}%`)
  log(`${'total'.padEnd(32)} ${total.toFixed(2).padStart(7)}   -> ${(1000 / total).toFixed(1)} photos/s on one core`)
  log(`before (header + full-size tensor + separate thumbnail, no hash/EXIF): ${(oldMs / n).toFixed(2)} ms; now read..thumbnail: ${((times.read + times.header + times.decode + times.tensor + times.thumbnail) / n).toFixed(2)} ms`)

  // other formats, each once
  for (const f of others) {
    const t: StageTimes = { read: 0, hash: 0, header: 0, decode: 0, tensor: 0, thumbnail: 0, exif: 0 }
    const ms0 = performance.now()
    const res = await readPhoto(f, roots, spec, scratch, 0, join(thumbs, 'o.webp'), t).then(
      () => 'ok',
      (err: Error) => err.message
    )
    log(`  ${f.split('/').pop()!.padEnd(8)} ${(performance.now() - ms0).toFixed(0).padStart(5)} ms (decode ${t.decode.toFixed(0)} ms): ${res}`)
  }

  // 2. the new model input against the old one
  const oldTensors = new Float32Array(n * plane)
  for (const [i, f] of jpegs.entries()) await oldTensor(f, spec, oldTensors, i * plane)
  const realOld = await embedAll(embedder, oldTensors, n, plane)
  const realCos = inference.vectors.map((v, i) => cosine(v, realOld.vectors[i]))
  const cifarN = Number(value('--cifar') ?? 1000)
  const cifar = readdirSync(cifarSplit('test')).flatMap((c) => readdirSync(join(cifarSplit('test'), c)).slice(0, Math.ceil(cifarN / 10)).map((f) => join(cifarSplit('test'), c, f)))
  const cNew = new Float32Array(cifar.length * plane)
  const cOld = new Float32Array(cifar.length * plane)
  for (const [i, f] of cifar.entries()) {
    await toTensor(f, spec, cNew, i * plane)
    await oldTensor(f, spec, cOld, i * plane)
  }
  const a = await embedAll(embedder, cNew, cifar.length, plane)
  const b = await embedAll(embedder, cOld, cifar.length, plane)
  const cifarCos = a.vectors.map((v, i) => cosine(v, b.vectors[i]))
  log(`\nembedding of the new model input vs the old, cosine: real 12-MP photos min ${Math.min(...realCos).toFixed(4)}, p5 ${pct(realCos, 0.05).toFixed(4)}, median ${pct(realCos, 0.5).toFixed(4)} (${n}); CIFAR-10 test min ${Math.min(...cifarCos).toFixed(4)}, median ${pct(cifarCos, 0.5).toFixed(4)} (${cifar.length})`)

  // 3. raw model throughput against the whole CLI's
  log(`\nload ${load()} before the raw model run`)
  const raw = await embedAll(embedder, tensors, n, plane)
  const rawPerS = (n * 1000) / raw.ms
  log(`raw model (onnxruntime alone, the app's settings, batches of 32): ${rawPerS.toFixed(1)} photos/s`)
  await embedder.release()
  const report: Record<string, unknown> = { stages: Object.fromEntries(stages), oldDecodeMs: oldMs / n, realCos: { min: Math.min(...realCos), median: pct(realCos, 0.5) }, cifarCos: { min: Math.min(...cifarCos), median: pct(cifarCos, 0.5) }, rawPerS }
  if (!argv.includes('--no-cli')) {
    if (!existsSync(CLI)) throw new Error('out/main/cli.js is missing: npx electron-vite build (or --no-cli)')
    const folder = join(CACHE, 'jpeg')
    const data = tempDir('mrl-bench-stages-')
    try {
      log(`load ${load()} before the CLI run`)
      const out = execFileSync(process.execPath, [CLI, '--data', data, 'index', folder, '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 2 ** 20 })
      const s = JSON.parse(out.trim().split('\n').pop()!)
      log(`whole CLI (node out/main/cli.js index, ${s.processed} JPEGs): ${s.photosPerSecond.toFixed(1)} photos/s in ${s.seconds.toFixed(1)} s, peak RSS ${s.peakRssMB.toFixed(0)} MB; ${((100 * s.photosPerSecond) / rawPerS).toFixed(0)}% of the raw model's throughput (load ${load()} after)`)
      report.cli = { photosPerSecond: s.photosPerSecond, seconds: s.seconds, peakRssMB: s.peakRssMB }
    } finally {
      rmSync(data, { recursive: true, force: true })
    }
  }
  rmSync(thumbs, { recursive: true, force: true })
  if (value('--json')) writeFileSync(value('--json')!, JSON.stringify({ load: loadavg(), ...report }, null, 1))
}

await main()

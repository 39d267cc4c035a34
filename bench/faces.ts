// Faces benchmark (npm run bench:faces): what the faces signal costs and how well it clusters.
//  1. throughput and memory: the faces worker (as the signal runs it: one worker, the file read on
//     this thread) over real photos: face-api's group photos (3-5 faces each, 1920 px) and the
//     Debian wallpapers of test/realPhotos.json (mostly no faces, 1-6 MP); photos/s, ms per photo
//     with and without faces, RSS added; the time for a 50,000-photo library, extrapolated from the
//     measured per-photo times at a stated share of photos with faces.
//  2. quality: the identity set (test/faces.manifest.json) embedded once, then pairwise precision
//     and recall of the clustering at a range of thresholds, and the recall of the face space's
//     short-prefix shortlist against exact search on the full embedding.
//  3. clustering time at scale: assignFaces over n random unit vectors (time does not depend on
//     what they hold), extrapolated to the faces of a 50,000-photo library.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { FaceClient } from '../src/main/adapters/workers/faceClient'
import { assignFaces, nearest, pairwiseScores, unitPrefixRows } from '../src/core/faces'
import { fitFaceSpace, toFaceSpace } from '../src/training/faceSpace'
import { JOIN_THRESHOLD } from '../src/main/services/people'
import { faceManifest, groupPhoto, identityOf, writeFacePhotos } from '../fixtures/faces'
import { ROOT, removeDirs, tempDir } from '../fixtures/photos'

const args = process.argv.slice(2)
const small = args.includes('--small')
const D = 1024
const mb = (b: number) => (b / 1e6).toFixed(0)
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')

async function throughput(client: FaceClient): Promise<{ withFaces: number; without: number }> {
  const real = (JSON.parse(readFileSync(join(ROOT, 'test', 'realPhotos.json'), 'utf8')).photos as { path: string }[]).map((p) => p.path).filter((p) => existsSync(p))
  const photos = [...Object.keys(faceManifest().groups.faces).map(groupPhoto), ...real.slice(0, small ? 6 : 60)]
  const rss0 = process.memoryUsage().rss
  let peak = rss0
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50)
  await client.detect(readFileSync(photos[0])) // warm-up: the model loads
  const times = { with: [] as number[], without: [] as number[] }
  let faces = 0
  const t0 = performance.now()
  for (const p of photos) {
    const s = performance.now()
    const r = await client.detect(readFileSync(p))
    ;(r.faces.length ? times.with : times.without).push(performance.now() - s)
    faces += r.faces.length
  }
  const wall = (performance.now() - t0) / 1000
  clearInterval(timer)
  const avg = (v: number[]) => v.reduce((a, b) => a + b, 0) / Math.max(1, v.length)
  console.log(`faces signal: ${photos.length} photos (${times.with.length} with faces, ${faces} faces) in ${wall.toFixed(1)} s = ${(photos.length / wall).toFixed(2)} photos/s`)
  console.log(`  ms per photo: with faces ${avg(times.with).toFixed(0)}, without ${avg(times.without).toFixed(0)}; RSS added ${mb(peak - rss0)} MB (peak ${mb(peak)} MB); load ${load()}`)
  return { withFaces: avg(times.with), without: avg(times.without) }
}

async function identitySet(client: FaceClient): Promise<void> {
  const m = faceManifest()
  const dir = tempDir('mrl-faces-bench-')
  const names = (await writeFacePhotos(dir)).filter((n) => identityOf(m, n) !== 'exclude')
  const raw: Float32Array[] = []
  const truth: (string | null)[] = []
  let missed = 0
  for (const n of names) {
    const r = await client.detect(readFileSync(join(dir, `${n}.jpg`)))
    if (!r.faces.length) {
      missed++
      continue
    }
    raw.push(r.faces[0].embedding)
    truth.push(identityOf(m, n) as string | null)
  }
  removeDirs(dir)
  const n = raw.length
  const x = new Float32Array(n * D)
  raw.forEach((v, i) => x.set(v, i * D))
  const same = (i: number, j: number) => (truth[i] === null && truth[j] === null ? null : truth[i] === truth[j])
  const space = fitFaceSpace(x, n, D)
  const adapted = toFaceSpace(space, x, n)
  console.log(`identity set: ${n} faces (${missed} photos with no face found); face space ${space.dims} dims, top-10 neighbour overlap per prefix (${space.adaptor.nesting.join(', ')} dims)`)
  console.log(`  principal axes alone ${space.before.map((v) => v.toFixed(2)).join(' ')}; kept ${space.after.map((v) => v.toFixed(2)).join(' ')}`)
  const full = { n, dims: D, rows: x }
  const short = { n, dims: space.dims, rows: adapted }
  const line: string[] = []
  for (let t = 0.56; t <= 0.7 + 1e-9; t += 0.01) {
    const persons = new Int32Array(n).fill(-1)
    let next = 1
    assignFaces(short, full, persons, { threshold: t, shortlistDims: 16, shortlistK: 32 }, () => false, () => next++)
    const s = pairwiseScores(n, persons, same)
    line.push(`${t.toFixed(2)}${Math.abs(t - JOIN_THRESHOLD) < 1e-6 ? '*' : ''} P ${s.precision.toFixed(3)} R ${s.recall.toFixed(3)}`)
  }
  console.log(`  clustering (shortlist 32 on 16 dims, rerank 1024; * = the app's threshold):\n    ${line.join('\n    ')}`)
  const unit = unitPrefixRows(full, D)
  const all = Array.from({ length: n }, (_, i) => i)
  for (const ds of [8, 16, 32, 64]) {
    for (const k of [10, 20]) {
      const pre = unitPrefixRows(short, ds)
      const plain = unitPrefixRows(full, ds)
      let hit = 0
      let hitPlain = 0
      for (let i = 0; i < n; i++) {
        const exact = new Set(nearest(unit, D, i, all, 5).map((h) => h.j))
        const rerank = (c: number[]) => nearest(unit, D, i, c, 5).filter((h) => exact.has(h.j)).length
        hit += rerank(nearest(pre, ds, i, all, k).map((h) => h.j))
        hitPlain += rerank(nearest(plain, ds, i, all, k).map((h) => h.j))
      }
      console.log(`  recall@5 vs exact, shortlist ${k} on ${ds} dims: face space ${(hit / (5 * n)).toFixed(3)}, plain truncation ${(hitPlain / (5 * n)).toFixed(3)}`)
    }
  }
}

function clusteringAtScale(): number {
  const sizes = small ? [1000, 2000] : [2000, 4000, 8000]
  let perPair = 0
  for (const n of sizes) {
    const rows = new Float32Array(n * 128).map(() => Math.random() - 0.5)
    const full = new Float32Array(n * D).map(() => Math.random() - 0.5)
    const persons = new Int32Array(n).fill(-1)
    let next = 1
    const t0 = performance.now()
    assignFaces({ n, dims: 128, rows }, { n, dims: D, rows: full }, persons, { threshold: JOIN_THRESHOLD, shortlistDims: 16, shortlistK: 32 }, () => false, () => next++)
    const s = (performance.now() - t0) / 1000
    perPair = s / ((n * n) / 2)
    console.log(`clustering ${n} new faces from scratch: ${s.toFixed(2)} s (load ${load()})`)
  }
  return perPair
}

const client = new FaceClient()
try {
  console.log(`load ${load()}`)
  const ms = await throughput(client)
  await identitySet(client)
  const perPair = clusteringAtScale()
  const share = 0.3
  const photos = 50_000
  const facesPerPhotoWithFaces = 2
  const detect = photos * (share * ms.withFaces + (1 - share) * ms.without) / 1000
  const faces = photos * share * facesPerPhotoWithFaces
  const cluster = perPair * (faces * faces) / 2
  console.log(`50,000 photos (extrapolated from the measured ms per photo, assuming ${share * 100}% of photos hold faces, ${facesPerPhotoWithFaces} each): detection ${(detect / 3600).toFixed(1)} h, clustering ${faces} faces from scratch ${(cluster / 60).toFixed(1)} min`)
} finally {
  await client.close()
}

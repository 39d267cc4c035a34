// `npm run bench:safety`: indexes the 50,000 CIFAR-10 train JPEGs in this process and reports the
// resource bounds: peak RSS (sampled, and the kernel's maxRSS; the embedding worker is a thread of
// this process, so both include it) and throughput per 5,000-photo window, which stays flat when
// per-batch cost does not grow with the library. A benchmark, not a test.
//   npm run bench:safety                  all 50,000 (about 10 minutes on 2 cores)
//   npm run bench:safety -- --photos 5000 a hard-linked subset, for a quick look
// The data folder is kept in .cache/bench-50k-data for `npm run bench:load`.
import { linkSync, mkdirSync, readdirSync, rmSync } from 'node:fs'
import { cpus } from 'node:os'
import { join } from 'node:path'
import { Engine } from '../src/main/app/engine'
import type { Progress } from '../src/shared/api'
import { ROOT, cifarSplit, tempDir } from '../fixtures/photos'

const WINDOW = 5000
export const BENCH_DATA = join(ROOT, '.cache', 'bench-50k-data')

function argValue(name: string): number | null {
  const i = process.argv.indexOf(name)
  return i >= 0 ? Number(process.argv[i + 1]) : null
}

/** The first `n` photos of the train split (round-robin over classes), hard-linked: no copies. */
function subset(n: number): string {
  const src = cifarSplit('train')
  const dest = tempDir('mrl-bench-subset-')
  const classes = readdirSync(src).sort()
  const files = classes.map((c) => readdirSync(join(src, c)).sort())
  for (const c of classes) mkdirSync(join(dest, c))
  for (let i = 0; i < n; i++) {
    const c = i % classes.length
    const f = files[c][Math.floor(i / classes.length)]
    linkSync(join(src, classes[c], f), join(dest, classes[c], f))
  }
  return dest
}

async function main(): Promise<void> {
  const limit = argValue('--photos')
  const library = limit ? subset(limit) : cifarSplit('train')
  rmSync(BENCH_DATA, { recursive: true, force: true })
  const engine = await Engine.open({ dataDir: BENCH_DATA })
  let peakRss = process.memoryUsage().rss
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200)
  const t0 = performance.now()
  let windowStart = t0
  let nextMark = WINDOW
  const windows: { upTo: number; photosPerSecond: number; rssMB: number }[] = []
  let indexingStart = 0
  const onProgress = (p: Progress) => {
    if (p.phase === 'indexing' && !indexingStart) indexingStart = windowStart = performance.now()
    while (p.phase === 'indexing' && p.done >= nextMark) {
      const now = performance.now()
      const w = { upTo: nextMark, photosPerSecond: WINDOW / ((now - windowStart) / 1000), rssMB: process.memoryUsage().rss / 2 ** 20 }
      windows.push(w)
      console.log(`  photos ${String(nextMark - WINDOW).padStart(6)}..${String(nextMark).padEnd(6)} ${w.photosPerSecond.toFixed(1).padStart(7)} photos/s   RSS ${w.rssMB.toFixed(0)} MB`)
      windowStart = now
      nextMark += WINDOW
    }
  }
  engine.follow('indexing', onProgress)
  console.log(`indexing ${library} into ${BENCH_DATA} (throughput per ${WINDOW} photos)…`)
  await engine.addFolder({ path: library })
  await engine.idle()
  const seconds = (performance.now() - t0) / 1000
  clearInterval(sampler)
  const status = await engine.status()
  await engine.close()
  if (limit) rmSync(library, { recursive: true, force: true })
  const rates = windows.map((w) => w.photosPerSecond)
  const result = {
    name: 'index-safety',
    photos: status.photos,
    skipped: status.progress.skipped,
    seconds,
    photos_per_s: status.photos / seconds,
    indexing_photos_per_s: status.photos / ((performance.now() - indexingStart) / 1000),
    window_photos_per_s: rates.map((r) => Number(r.toFixed(1))),
    first_to_last_window: rates.length > 1 ? Number((rates.at(-1)! / rates[0]).toFixed(2)) : null,
    peak_rss_mb_sampled: Math.round(peakRss / 2 ** 20),
    peak_rss_mb_kernel: Math.round(process.resourceUsage().maxRSS / 1024),
    message: status.progress.message,
    machine: `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}`
  }
  console.log(JSON.stringify(result, null, 1))
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})

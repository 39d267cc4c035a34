// `npm run bench:text`: the text signal's cost. Reads, through the worker the signal uses
// (TextClient: file bytes in, decode at up to 1600 px, the cheap 640 px look, the full read where
// it finds text), two sets of photos:
//   - real photos: the full-resolution photographs of test/realPhotos.json (Debian wallpapers and
//     scikit-image samples, `photo: true`), nearly all without text, as most of a library is;
//   - text photos: the rendered signs, receipts and posters and the real photos with text of
//     fixtures/textPhotos.ts.
// Prints ms a photo and photos/s for each set, how many the cheap look sent on to the full read,
// the memory the worker adds (peak RSS of this process over the RSS before it started), and the time
// a 50,000-photo library takes at a few shares of photos with text: extrapolated from these measured
// rates, not measured on 50,000 photos. A benchmark: it prints numbers and sets no targets.
//   options: --threads N (onnxruntime's threads, default 2: the machine's cores), --repeat N (reads
//   each set N times, default 1), --photos N (the first N of each set: a quick look), --share a,b,c
//   (shares of text photos for the extrapolation)
import { readFileSync, rmSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { TextClient } from '../src/main/adapters/workers/textClient'
import { ROOT } from '../fixtures/photos'
import { textLibrary } from '../fixtures/textPhotos'

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(name)
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback
}
const threads = Number(arg('--threads', '2'))
const repeat = Number(arg('--repeat', '1'))
const shares = arg('--share', '0.05,0.15,0.3').split(',').map(Number)
const most = Number(arg('--photos', '100000'))
const LIBRARY = 50_000

interface SetResult {
  name: string
  photos: number
  ms: number[]
  fullReads: number
  withText: number
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ')

async function readSet(client: TextClient, name: string, paths: string[]): Promise<SetResult> {
  const out: SetResult = { name, photos: paths.length, ms: [], fullReads: 0, withText: 0 }
  for (let r = 0; r < repeat; r++) {
    for (const path of paths) {
      const t0 = performance.now()
      const res = await client.read(readFileSync(path))
      out.ms.push(performance.now() - t0)
      if (r === 0) {
        if (res.read) out.fullReads++
        if (res.lines.length) out.withText++
      }
    }
  }
  return out
}

function row(s: SetResult): string {
  const m = mean(s.ms)
  return `${s.name.padEnd(12)} ${String(s.photos).padStart(6)} ${m.toFixed(0).padStart(8)} ${median(s.ms).toFixed(0).padStart(8)} ${(1000 / m).toFixed(2).padStart(9)} ${`${s.fullReads}/${s.photos}`.padStart(11)} ${`${s.withText}/${s.photos}`.padStart(10)}`
}

async function main(): Promise<void> {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'test', 'realPhotos.json'), 'utf8')) as { photos: { path: string; photo: boolean }[] }
  const real = manifest.photos.filter((p) => p.photo).map((p) => p.path).slice(0, most)
  const lib = await textLibrary({ plain: 0 })
  const text = lib.photos.filter((p) => p.lines.length && !p.hard).map((p) => p.path).slice(0, most)

  console.log(`text signal benchmark: ${cpus().length} cores, onnxruntime threads ${threads}, load average ${load()}`)
  const base = process.memoryUsage().rss
  let peak = base
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50)
  const t0 = performance.now()
  const client = new TextClient(threads)
  await client.read(readFileSync(text[0])) // loads the networks
  const startMs = performance.now() - t0
  const sets = [await readSet(client, 'real photos', real), await readSet(client, 'text photos', text)]
  clearInterval(sampler)
  await client.close()

  console.log(`worker start (networks loaded, first photo read): ${startMs.toFixed(0)} ms`)
  console.log(`set          photos  mean ms  median ms  photos/s  full reads  with text`)
  for (const s of sets) console.log(row(s))
  console.log(`memory added by the worker: ${mb(peak - base)} (peak RSS ${mb(peak)}, before ${mb(base)})`)
  const [plain, withText] = sets.map((s) => mean(s.ms) / 1000)
  for (const share of shares) {
    const seconds = LIBRARY * (share * withText + (1 - share) * plain)
    console.log(`50,000 photos with ${Math.round(share * 100)}% showing text: ${(seconds / 3600).toFixed(1)} h (extrapolated from the measured rates above)`)
  }
  console.log(`load average after: ${load()}`)
  rmSync(lib.dir, { recursive: true, force: true })
}

await main()

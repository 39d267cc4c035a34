// `npm run bench:scale`: a library of 250,000 small JPEGs in nested folders, scanned, indexed,
// searched and re-scanned after touching 100 files. A benchmark: it prints numbers, sets no targets.
//
// The library (made once into bench/cache/scale250k/lib): the CIFAR-10 (60,000) and Tiny ImageNet
// (110,000) JPEGs at 32 px, upscaled to 64x64 (Lanczos-3, q90), and mirrored copies of the first
// ones up to the count, in 250 folders of 10 sub-folders of 100 photos.
//
// What it measures: the scan alone (in this process: files/s and the memory it adds), then through
// the built CLI (node out/main/cli.js, a fresh data folder): the first index (photos/s, peak RSS),
// a few searches (each a whole CLI process: opening the library and the search), a re-index with
// nothing changed (the scan and the plan), and one after touching 100 files (their re-embedding).
//
//   npm run bench:scale [-- --photos N] [--keep] [--make-only]   (run it alone: flock /tmp/mrl-heavy.lock …)
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, utimesSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { ROOT, cifarSplit, tempDir } from '../fixtures/photos'
import { scanFolders, scanRoots } from '../src/main/adapters/fs/folderScan'

const CACHE = join(ROOT, 'bench', 'cache', 'scale250k')
const TINY = process.env.MRL_TINY_DIR ?? join(ROOT, '..', 'shared', 'datasets', 'tinyimagenet32')
const CLI = join(ROOT, 'out', 'main', 'cli.js')
const argv = process.argv.slice(2)
const value = (f: string) => (argv.includes(f) ? argv[argv.indexOf(f) + 1] : undefined)
const N = Number(value('--photos') ?? 250_000)
const load = () => loadavg().map((x) => x.toFixed(2)).join(' / ')
const log = (s: string) => console.log(s)

function jpegsUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.jpg')).sort().map((f) => join(dir, f))
}

/** The sources: CIFAR-10 train + test, Tiny ImageNet train + val (extracted once). */
function sources(): string[] {
  const tiny = join(ROOT, '.cache', 'tinyimagenet32')
  if (!existsSync(join(tiny, 'val'))) {
    mkdirSync(tiny, { recursive: true })
    for (const split of ['train', 'val']) execFileSync('tar', ['-xzf', join(TINY, `${split}.tar.gz`), '-C', tiny])
  }
  return [...jpegsUnder(cifarSplit('train')), ...jpegsUnder(cifarSplit('test')), ...jpegsUnder(tiny)]
}

const photoPath = (lib: string, i: number) => join(lib, `g${String(Math.floor(i / 1000)).padStart(3, '0')}`, `s${Math.floor(i / 100) % 10}`, `${String(i).padStart(6, '0')}.jpg`)

async function makeLibrary(): Promise<string> {
  const lib = join(CACHE, `lib-${N}`)
  if (existsSync(join(lib, '.complete'))) return lib
  const src = sources()
  log(`making ${N} 64x64 JPEGs from ${src.length} sources into ${lib}…`)
  const t0 = performance.now()
  let next = 0
  const one = async () => {
    for (let i = next++; i < N; i = next++) {
      const dest = photoPath(lib, i)
      if (existsSync(dest)) continue
      mkdirSync(join(dest, '..'), { recursive: true })
      let img = sharp(src[i % src.length])
      if (i >= src.length) img = img.flop() // a mirrored copy: another photo
      await img.resize(64, 64, { kernel: 'lanczos3' }).jpeg({ quality: 90 }).toFile(`${dest}.part`)
      renameSync(`${dest}.part`, dest)
      if (i % 25_000 === 0) log(`  ${i} (${((performance.now() - t0) / 1000).toFixed(0)} s)`)
    }
  }
  await Promise.all([one(), one(), one(), one()])
  mkdirSync(join(lib, '.complete'))
  log(`made in ${((performance.now() - t0) / 1000).toFixed(0)} s`)
  return lib
}

function cli(data: string, ...args: string[]): { out: string; seconds: number } {
  const t0 = performance.now()
  const out = execFileSync(process.execPath, [CLI, '--data', data, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 2 ** 20 })
  return { out, seconds: (performance.now() - t0) / 1000 }
}
const lastJson = (out: string) => JSON.parse(out.trim().split('\n').pop()!)

async function main(): Promise<void> {
  if (!existsSync(CLI)) throw new Error('out/main/cli.js is missing: npx electron-vite build')
  const lib = await makeLibrary()
  if (argv.includes('--make-only')) return
  log(`machine: ${cpus().length} x ${cpus()[0]?.model}; library ${lib} (${N} photos)`)
  const rows: [string, string][] = []
  const row = (what: string, figure: string) => {
    rows.push([what, `${figure}   (load ${load()})`])
    log(`${what}: ${figure}   (load ${load()})`)
  }

  // the scan alone, in this process
  const rss0 = process.memoryUsage().rss
  let peak = rss0
  const t0 = performance.now()
  let files = 0
  for await (const chunk of scanFolders(await scanRoots([lib], tempDir('mrl-scale-none-')))) {
    files += chunk.files.length
    peak = Math.max(peak, process.memoryUsage().rss)
  }
  const scanS = (performance.now() - t0) / 1000
  row('scan alone (in process)', `${files} files in ${scanS.toFixed(1)} s = ${Math.round(files / scanS)} files/s, RSS +${((peak - rss0) / 2 ** 20).toFixed(0)} MB`)

  const data = tempDir('mrl-scale-data-')
  try {
    const first = lastJson(cli(data, 'index', lib, '--json').out)
    row('first index (CLI)', `${first.processed} photos in ${first.seconds.toFixed(0)} s = ${first.photosPerSecond.toFixed(1)} photos/s, peak RSS ${first.peakRssMB.toFixed(0)} MB, ${first.skipped.length} skipped`)
    for (const q of [['--text', 'truck'], ['--text', 'dog'], ['--text', 'red car'], ['--similar', '12345']]) {
      try {
        const r = cli(data, 'search', ...q, '-k', '10', '--json')
        const res = lastJson(r.out)
        row(`search ${q.join(' ')} (CLI process)`, `${r.seconds.toFixed(1)} s for the process, ${res.stats.ms.toFixed(1)} ms the search, ${res.hits.length} hits`)
      } catch (err) {
        row(`search ${q.join(' ')} (CLI process)`, `failed: ${String((err as { stderr?: unknown }).stderr ?? err).slice(0, 200)}`)
      }
    }
    const again = lastJson(cli(data, 'index', lib, '--json').out)
    row('re-index, nothing changed (CLI)', `${again.seconds.toFixed(1)} s, ${again.processed} processed`)
    const later = new Date(Date.now() + 60_000)
    for (let i = 0; i < 100; i++) utimesSync(photoPath(lib, Math.floor((i * N) / 100)), later, later)
    const touched = lastJson(cli(data, 'index', lib, '--json').out)
    row('re-index after touching 100 files (CLI)', `${touched.seconds.toFixed(1)} s, ${touched.processed} processed, peak RSS ${touched.peakRssMB.toFixed(0)} MB`)
  } finally {
    if (!argv.includes('--keep')) rmSync(data, { recursive: true, force: true })
    else log(`data folder kept: ${data}`)
  }
  log('\nsummary')
  for (const [what, figure] of rows) log(`  ${what.padEnd(42)} ${figure}`)
}

await main()

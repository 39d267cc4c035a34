// Indexing benchmark: the CLI (out/main/cli.js) indexes a folder into a fresh data folder, once per
// model and folder; the numbers are the whole CLI process: decode, thumbnails, EXIF, hashing,
// embedding, LanceDB commits and the dial measurement at the end.
//
//   models   the old bundled CIFAR model (ResNet-18 at 32 px, from git 47156e3 into bench/cache),
//            the new bundled photo model (resources/models/mrl-photo.onnx, whatever is installed),
//            and random-init variants of the photo-cpu architecture at 64 / 96 / 128 px
//            (bench/photo_variants.py, for the input-size choice; throughput does not depend on weights)
//   folders  the 10,000 CIFAR-10 test JPEGs (32x32), and N 12-megapixel JPEGs (4000x3000, q90, ~4 MB)
//            made once into bench/cache by upscaling Imagenette val photos and adding noise
//
//   npm run bench -- --indexing [--photos N] [--sizes 64,96,128] [--no-variants] [--train] [--out DIR]
import { execFileSync } from 'node:child_process'
import { randomFillSync } from 'node:crypto'
import { existsSync, linkSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import sharp from 'sharp'
import { Card } from '../src/main/adapters/models/modelCard'
import { ROOT, cifarSplit, tempDir } from '../fixtures/photos'

const CACHE = join(ROOT, 'bench', 'cache')
const CLI = join(ROOT, 'out', 'main', 'cli.js')
const OLD_COMMIT = '47156e3'
const OLD_MODEL = 'mrl-resnet18-cifar10'
const IMAGENETTE = process.env.MRL_IMAGENETTE_DIR ?? join(ROOT, '..', 'shared', 'datasets', 'imagenette128')
const BIG = { width: 4000, height: 3000, quality: 90, noise: 40 } // noise: peak-to-peak of uniform per-channel noise

export interface IndexingOptions {
  /** 12-megapixel photos to index */
  photos: number
  /** input sizes of the random-init photo-architecture variants (none: skip them) */
  sizes: number[]
  /** also the 50,000 CIFAR-10 train JPEGs (old and new model only) */
  train: boolean
}

export function parseIndexingArgs(argv: string[]): IndexingOptions {
  const value = (f: string) => {
    const i = argv.indexOf(f)
    return i >= 0 ? argv[i + 1] : undefined
  }
  const photos = Number(value('--photos') ?? 150)
  if (!Number.isInteger(photos) || photos < 1) throw new Error(`--photos: a positive whole number, not ${value('--photos')}`)
  const sizes = argv.includes('--no-variants') ? [] : (value('--sizes') ?? '64,96,128').split(',').map(Number)
  if (sizes.some((s) => !Number.isInteger(s) || s < 16)) throw new Error(`--sizes: whole numbers of pixels, not ${value('--sizes')}`)
  return { photos, sizes, train: argv.includes('--train') }
}

interface ModelSpec {
  /** what the table calls it */
  label: string
  /** the .onnx the CLI gets as MRL_MODEL */
  onnx: string
  arch: string
  inputPx: number
  /** the card was rewritten for the engine (see engineReadable) */
  cardConverted: boolean
}

interface FolderSpec {
  label: string
  path: string
  photos: number
}

export interface IndexingResult {
  model: string
  model_file: string
  arch: string
  input_px: number
  card_converted: boolean
  folder: string
  photos: number
  seconds: number
  photos_per_s: number
  /** the CLI's own peak RSS (process.resourceUsage().maxRSS; the decode/embed worker is a thread of it) */
  peak_rss_mb: number
  /** user + system CPU seconds of the CLI process (/usr/bin/time), and that over its wall clock */
  cpu_s: number | null
  process_cores: number | null
  /** the whole machine's busy cores over the run (/proc/stat), and what of that was not the CLI */
  machine_busy_cores: number | null
  other_cores: number | null
  loadavg_before: number[]
  loadavg_after: number[]
}

export interface IndexingReport {
  started: string
  machine: string
  cores: number
  what: string
  loadavg_before: number[]
  loadavg_after: number[]
  seconds: number
  options: IndexingOptions
  results: IndexingResult[]
}

const log = (msg: string) => console.log(msg)
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d
const load = () => loadavg().map((x) => round(x))

// ---------------------------------------------------------------- models

/** The old CIFAR model as it was bundled at OLD_COMMIT (it leaves resources/models). */
function oldModel(): string {
  const dir = join(CACHE, 'models', 'old')
  mkdirSync(dir, { recursive: true })
  for (const ext of ['.onnx', '.json', '.heads.json']) {
    const dest = join(dir, OLD_MODEL + ext)
    if (existsSync(dest)) continue
    const blob = execFileSync('git', ['show', `${OLD_COMMIT}:resources/models/${OLD_MODEL}${ext}`], { cwd: ROOT, maxBuffer: 256 * 1024 * 1024 })
    writeFileSync(dest, blob)
  }
  return join(dir, `${OLD_MODEL}.onnx`)
}

/** Random-init photo-cpu networks at the given input sizes, made once by bench/photo_variants.py. */
function variantModels(sizes: number[]): string[] {
  const dir = join(CACHE, 'models', 'variants')
  const paths = sizes.map((s) => join(dir, `mrl-photo-cpu-${s}.onnx`))
  const missing = sizes.filter((_, i) => !existsSync(paths[i]) || !existsSync(paths[i].replace(/\.onnx$/, '.json')))
  if (missing.length) {
    log(`making the random-init photo-cpu variants at ${missing.join(', ')} px (bench/photo_variants.py)…`)
    execFileSync('/usr/bin/python3', [join(ROOT, 'bench', 'photo_variants.py'), dir, ...missing.map(String)], {
      cwd: ROOT,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, PYTHONWARNINGS: 'ignore' }
    })
  }
  return paths
}

/**
 * A model path the engine loads. Where its card does not parse with the engine's schema because
 * `classes` holds concept objects (the photo pipeline's card) and the engine reads names, the
 * bench writes a card beside links to the same .onnx and heads, with `classes` the names and
 * `concepts` the objects. The network and heads are the same files, so throughput is the same.
 */
function engineReadable(onnx: string): { onnx: string; converted: boolean; card: { name: string; arch: string; input: { size: number } } } {
  const raw = JSON.parse(readFileSync(onnx.replace(/\.onnx$/, '.json'), 'utf8'))
  const parsed = Card.safeParse(raw)
  if (parsed.success) return { onnx, converted: false, card: parsed.data }
  if (!Array.isArray(raw.classes) || typeof raw.classes[0] !== 'object') {
    throw new Error(`the engine cannot read the card of ${onnx}: ${parsed.error.message}`)
  }
  const card = { ...raw, classes: raw.classes.map((c: { name: string }) => c.name), concepts: raw.classes }
  const again = Card.safeParse(card)
  if (!again.success) throw new Error(`the engine cannot read the card of ${onnx}, even with class names: ${again.error.message}`)
  const dir = join(CACHE, 'models', 'engine-readable')
  mkdirSync(dir, { recursive: true })
  const link = (target: string) => {
    const dest = join(dir, basename(target))
    rmSync(dest, { force: true })
    symlinkSync(target, dest)
    return dest
  }
  const dest = link(onnx)
  if (raw.heads_file) link(join(dirname(onnx), raw.heads_file))
  writeFileSync(dest.replace(/\.onnx$/, '.json'), JSON.stringify(card))
  return { onnx: dest, converted: true, card: again.data }
}

function modelSpec(label: string, onnx: string): ModelSpec {
  const r = engineReadable(onnx)
  return { label, onnx: r.onnx, arch: r.card.arch, inputPx: r.card.input.size, cardConverted: r.converted }
}

// ---------------------------------------------------------------- folders

/** Imagenette val photos, a class at a time in turn (sorted), extracted once. */
function imagenetteVal(): string[] {
  const dir = join(CACHE, 'imagenette128')
  if (!existsSync(join(dir, 'val'))) {
    mkdirSync(dir, { recursive: true })
    execFileSync('tar', ['-xzf', join(IMAGENETTE, 'val.tar.gz'), '-C', dir])
  }
  const classes = readdirSync(join(dir, 'val')).sort()
  const perClass = classes.map((c) => readdirSync(join(dir, 'val', c)).sort().map((f) => join(dir, 'val', c, f)))
  const out: string[] = []
  for (let i = 0; out.length < perClass.reduce((n, l) => n + l.length, 0); i++) for (const l of perClass) if (i < l.length) out.push(l[i])
  return out
}

/** One 12-megapixel JPEG from a 128x128 photo: Lanczos upscale (cover crop), uniform noise, q90, some EXIF. */
async function bigPhoto(src: string, dest: string): Promise<void> {
  const { data, info } = await sharp(src)
    .resize(BIG.width, BIG.height, { fit: 'cover', kernel: 'lanczos3' })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true })
  const noise = randomFillSync(Buffer.alloc(data.length))
  const half = BIG.noise >> 1
  for (let i = 0; i < data.length; i++) {
    const v = data[i] + ((noise[i] * BIG.noise) >> 8) - half
    data[i] = v < 0 ? 0 : v > 255 ? 255 : v
  }
  await sharp(data, { raw: info })
    .jpeg({ quality: BIG.quality })
    .withExif({ IFD0: { Make: 'MRL bench', Model: basename(dirname(src)), DateTime: '2024:06:01 12:00:00' } })
    .toFile(dest)
}

/** A folder of the first n 12-megapixel photos (hard links into a pool that grows as needed). */
async function bigPhotos(n: number): Promise<FolderSpec> {
  const pool = join(CACHE, 'photos12mp', 'pool')
  mkdirSync(pool, { recursive: true })
  const sources = imagenetteVal()
  if (n > sources.length) throw new Error(`--photos ${n}: Imagenette val has ${sources.length} photos`)
  const name = (i: number) => join(pool, `${String(i).padStart(4, '0')}.jpg`)
  const missing = Array.from({ length: n }, (_, i) => i).filter((i) => !existsSync(name(i)))
  if (missing.length) {
    log(`making ${missing.length} 12-megapixel JPEGs (${BIG.width}x${BIG.height}, q${BIG.quality}) into ${pool}…`)
    const t0 = performance.now()
    for (const [k, i] of missing.entries()) {
      // written under a temporary name first, so an interrupted run leaves no truncated photo
      await bigPhoto(sources[i], `${name(i)}.part.jpg`)
      execFileSync('mv', [`${name(i)}.part.jpg`, name(i)])
      if ((k + 1) % 25 === 0) log(`  ${k + 1}/${missing.length} (${((performance.now() - t0) / 1000).toFixed(0)} s)`)
    }
  }
  const folder = join(CACHE, 'photos12mp', `first-${n}`)
  if (!existsSync(folder) || readdirSync(folder).length !== n) {
    rmSync(folder, { recursive: true, force: true })
    mkdirSync(folder, { recursive: true })
    for (let i = 0; i < n; i++) linkSync(name(i), join(folder, basename(name(i))))
  }
  return { label: `12MP x${n}`, path: folder, photos: n }
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name))
}

/** Reads every file once, so each model's run finds the folder in the page cache alike. */
function warm(folder: FolderSpec): number {
  let bytes = 0
  for (const f of filesUnder(folder.path)) bytes += readFileSync(f).length
  return bytes
}

// ---------------------------------------------------------------- one run

function cpuJiffies(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number)
  const idle = f[3] + (f[4] ?? 0)
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0)
  return { busy: total - idle, total }
}

export function indexOnce(model: ModelSpec, folder: FolderSpec): IndexingResult {
  const data = tempDir('mrl-bench-index-')
  const timeFile = join(tmpdir(), `mrl-bench-time-${process.pid}-${Date.now()}`)
  const hasTime = existsSync('/usr/bin/time')
  const cmd = [CLI, '--data', data, 'index', folder.path, '--json']
  const loadBefore = load()
  const j0 = existsSync('/proc/stat') ? cpuJiffies() : null
  try {
    const out = execFileSync(hasTime ? '/usr/bin/time' : process.execPath, hasTime ? ['-f', '%e %U %S', '-o', timeFile, process.execPath, ...cmd] : cmd, {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, MRL_MODEL: model.onnx },
      stdio: ['ignore', 'pipe', 'pipe'], // stderr (the progress bar) kept out of the log, shown if the CLI fails
      maxBuffer: 256 * 1024 * 1024
    })
    const j1 = j0 ? cpuJiffies() : null
    const s = JSON.parse(out.trim().split('\n').pop()!)
    if (s.processed !== folder.photos) throw new Error(`${model.label} on ${folder.label}: ${s.processed} of ${folder.photos} photos processed (${JSON.stringify(s.skipped).slice(0, 300)})`)
    const [wall, user, sys] = hasTime ? readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(/\s+/).map(Number) : [NaN, NaN, NaN]
    const cpu = hasTime ? user + sys : null
    const processCores = cpu !== null && wall > 0 ? cpu / wall : null
    const busyCores = j0 && j1 ? ((j1.busy - j0.busy) / Math.max(1, j1.total - j0.total)) * cpus().length : null
    return {
      model: model.label,
      model_file: model.onnx,
      arch: model.arch,
      input_px: model.inputPx,
      card_converted: model.cardConverted,
      folder: folder.label,
      photos: s.processed,
      seconds: round(s.seconds),
      photos_per_s: round(s.photosPerSecond),
      peak_rss_mb: round(s.peakRssMB, 0),
      cpu_s: cpu === null ? null : round(cpu, 1),
      process_cores: processCores === null ? null : round(processCores),
      machine_busy_cores: busyCores === null ? null : round(busyCores),
      other_cores: busyCores === null || processCores === null ? null : round(Math.max(0, busyCores - processCores)),
      loadavg_before: loadBefore,
      loadavg_after: load()
    }
  } catch (err) {
    const stderr = String((err as { stderr?: unknown }).stderr ?? '')
    throw stderr ? new Error(`${model.label} on ${folder.label}: the CLI failed: ${stderr.slice(-2000)}`) : err
  } finally {
    rmSync(data, { recursive: true, force: true })
    rmSync(timeFile, { force: true })
  }
}

// ---------------------------------------------------------------- the benchmark

/** The built CLI is missing or older than a source file it is built from. */
function cliStale(): boolean {
  if (!existsSync(CLI)) return true
  const built = statSync(CLI).mtimeMs
  return ['src/main', 'src/shared'].some((d) => filesUnder(join(ROOT, d)).some((f) => statSync(f).mtimeMs > built))
}

const pad = (s: string | number, n: number, right = false) => (right ? String(s).padEnd(n) : String(s).padStart(n))

export function table(results: IndexingResult[]): string {
  const head = `${pad('model', 26, true)} ${pad('px', 4)} ${pad('folder', 16, true)} ${pad('photos', 6)} ${pad('s', 7)} ${pad('photos/s', 9)} ${pad('RSS MB', 7)} ${pad('CLI cores', 9)} ${pad('others', 6)}`
  const rows = results.map(
    (r) =>
      `${pad(r.model, 26, true)} ${pad(r.input_px, 4)} ${pad(r.folder, 16, true)} ${pad(r.photos, 6)} ${pad(r.seconds.toFixed(1), 7)} ${pad(r.photos_per_s.toFixed(1), 9)} ${pad(r.peak_rss_mb, 7)} ${pad(r.process_cores?.toFixed(2) ?? '-', 9)} ${pad(r.other_cores?.toFixed(2) ?? '-', 6)}`
  )
  return [head, '-'.repeat(head.length), ...rows].join('\n')
}

export async function benchIndexing(opts: IndexingOptions): Promise<IndexingReport> {
  const started = new Date()
  const t0 = performance.now()
  const loadBefore = load()
  const cores = cpus().length
  const machine = `${cores} x ${cpus()[0]?.model ?? 'cpu'}`
  const what =
    'whole-process CLI indexing (node out/main/cli.js index FOLDER --json into a fresh data folder): decode, thumbnails, EXIF, hashing, embedding, LanceDB commits and the dial measurement; photos/s = photos / the CLI\'s own seconds; peak RSS = the CLI process (its worker is a thread)'
  if (cliStale()) {
    log(`${existsSync(CLI) ? 'out/main/cli.js is older than src/main or src/shared' : 'out/main/cli.js is missing'}: building it (npx electron-vite build)…`)
    execFileSync('npx', ['electron-vite', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] })
  }

  const models = [modelSpec('old CIFAR (ResNet-18)', oldModel()), modelSpec('new photo (bundled)', join(ROOT, 'resources', 'models', 'mrl-photo.onnx'))]
  const variants = variantModels(opts.sizes).map((p, i) => modelSpec(`photo-cpu random @${opts.sizes[i]}`, p))
  const folders: FolderSpec[] = [{ label: 'CIFAR-10 test', path: cifarSplit('test'), photos: 10_000 }, await bigPhotos(opts.photos)]
  if (opts.train) folders.push({ label: 'CIFAR-10 train', path: cifarSplit('train'), photos: 50_000 })

  log(`machine: ${machine}, load average ${loadBefore.join(' / ')} (1 / 5 / 15 min) before the runs`)
  if (loadBefore[0] > cores / 2) log(`the CPU is shared: load ${loadBefore[0]} on ${cores} cores before the first run (another job, e.g. training); throughput below is what is left over`)
  log(`measuring: ${what}`)
  for (const m of [...models, ...variants]) log(`model ${m.label}: ${m.arch}, ${m.inputPx} px, ${m.onnx}${m.cardConverted ? ' (card with class names, for the engine)' : ''}`)

  const results: IndexingResult[] = []
  for (const folder of folders) {
    const bytes = warm(folder)
    log(`folder ${folder.label}: ${folder.photos} photos, ${(bytes / 1e6).toFixed(0)} MB (${bytes / folder.photos >= 1e5 ? `${(bytes / folder.photos / 1e6).toFixed(2)} MB` : `${(bytes / folder.photos / 1e3).toFixed(1)} kB`} each), ${folder.path}`)
    const runs = folder.label === 'CIFAR-10 train' ? models : [...models, ...variants]
    for (const m of runs) {
      const r = indexOnce(m, folder)
      results.push(r)
      log(
        `  ${m.label}${m.label.includes('@') ? '' : ` @${m.inputPx}px`}: ${r.photos} photos in ${r.seconds.toFixed(1)} s = ${r.photos_per_s.toFixed(1)} photos/s, peak RSS ${r.peak_rss_mb} MB, CLI ${r.process_cores ?? '-'} cores, others ${r.other_cores ?? '-'} cores, load ${r.loadavg_after[0]}`
      )
    }
  }
  const report: IndexingReport = {
    started: started.toISOString(),
    machine,
    cores,
    what,
    loadavg_before: loadBefore,
    loadavg_after: load(),
    seconds: round((performance.now() - t0) / 1000, 1),
    options: opts,
    results
  }
  log('')
  log(`indexing throughput on ${machine}; ${what}`)
  log(`load average ${report.loadavg_before.join(' / ')} before, ${report.loadavg_after.join(' / ')} after (1 / 5 / 15 min); "CLI cores" = the CLI's CPU seconds / its wall clock, "others" = the rest of the machine's busy cores over the run${report.loadavg_before[0] > cores / 2 ? ' (the CPU was shared with another job: absolute numbers are lower than on a quiet machine)' : ''}`)
  log(table(results))
  return report
}

/** The report as JSON in out/indexing.json. */
export function writeIndexing(report: IndexingReport, out: string): string {
  mkdirSync(out, { recursive: true })
  const path = join(out, 'indexing.json')
  writeFileSync(path, JSON.stringify(report, null, 1))
  return path
}

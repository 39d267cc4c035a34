// `npm run bench:real`: search quality on real, full-resolution photographs. Indexes the real photos
// of test/realPhotos.json (hand-labelled Debian wallpapers and scikit-image samples; `photo: true`)
// with the CLI into a fresh data folder, optionally mixed with Imagenette JPEGs as distractors, then
// asks the engine, through the CLI (`search --json`, and `serve`'s API, which answers the same
// calls with the same JSON):
//   - text search, for each concept word: labelled photos, hit@10 (a labelled photo in the top 10
//     of the whole library), P@10 among the real photos (the search filtered to their folder; its
//     best possible value is min(labelled, 10)/10), and what the engine said when it refused a word
//     or answered with nothing (below its relevance cut-off);
//   - find-similar, for each real photo: the share of its top 10 similar real photos (itself
//     excluded) of the same `kind`, averaged overall and per kind.
// A benchmark: it prints numbers and sets no targets.
//   npm run bench:real                           the real photos alone
//   npm run bench:real -- --mix 500              plus 500 Imagenette val JPEGs as distractors
//   options: --out FILE (JSON), --model FILE.onnx (MRL_MODEL), --cli out|src|FILE (the built CLI,
//            the default where out/main/cli.js exists; src/main/shells/cli/main.ts through tsx; or another
//            checkout's cli.js / cli.ts), --dial X,
//            --words a,b,c (instead of the manifest's words), --keep (keep the temp folder)
// The photos come from Debian packages: the manifest's `install` line installs them.
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { basename, extname, join, relative, resolve } from 'node:path'
import { ROOT, tempDir } from '../fixtures/photos'

const MANIFEST = join(ROOT, 'test', 'realPhotos.json')
const IMAGENETTE = resolve(ROOT, '..', 'shared', 'datasets', 'imagenette128')
const K = 10
/** The everyday words every run asks for; the manifest's other concepts are added. */
const BASE_WORDS = ['beach', 'sea', 'mountain', 'lake', 'dog', 'cat', 'bird', 'car', 'truck', 'boat', 'food', 'fruit', 'flower']
/** Imagenette classes a word also finds (distractors that are really relevant). */
const DISTRACTOR_MATCHES: Record<string, string[]> = { dog: ['n02102040'], truck: ['n03417042'], fish: ['n01440764'], church: ['n03028079'], building: ['n03028079'] }

interface Entry {
  path: string
  package: string
  photo: boolean
  kind: string
  concepts: string[]
  width: number
  height: number
  note?: string
}
interface Manifest {
  packages: string[]
  install: string
  photos: Entry[]
}
interface Real extends Entry {
  file: string // the copy in the library folder
  id?: number
}

function arg(name: string): string | null {
  const i = process.argv.indexOf(name)
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : null
}
const flag = (name: string) => process.argv.includes(name)

// ---- the CLI ----

const OUT_CLI = join(ROOT, 'out', 'main', 'cli.js')
const SRC_CLI = join(ROOT, 'src', 'main', 'cli.ts')
const cliKind = arg('--cli') ?? (existsSync(OUT_CLI) ? 'out' : 'src')
const cliFile = cliKind === 'out' ? OUT_CLI : cliKind === 'src' ? SRC_CLI : resolve(cliKind)
if (!existsSync(cliFile)) throw new Error(`no ${cliFile}${cliKind === 'out' ? ': run npx electron-vite build, or pass --cli src' : ''}`)
const cliArgs = cliFile.endsWith('.ts') ? ['--import', 'tsx', cliFile] : [cliFile]
const cliName = cliFile.startsWith(`${ROOT}/`) ? relative(ROOT, cliFile) : cliFile
const env = { ...process.env, ...(arg('--model') ? { MRL_MODEL: resolve(arg('--model')!) } : {}) }

/** Newest mtime of the engine's sources, to warn when the built CLI is older than them. */
function newestSource(dir = join(ROOT, 'src')): number {
  let t = 0
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    t = Math.max(t, e.isDirectory() ? newestSource(p) : statSync(p).mtimeMs)
  }
  return t
}

function cli(data: string, ...args: string[]): { code: number; stdout: string; stderr: string; seconds: number } {
  const t0 = performance.now()
  const res = spawnSync(process.execPath, [...cliArgs, '--data', data, ...args], { cwd: ROOT, env, encoding: 'utf8', maxBuffer: 256 * 2 ** 20 })
  return { code: res.status ?? 1, stdout: res.stdout ?? '', stderr: res.stderr ?? '', seconds: (performance.now() - t0) / 1000 }
}

/** The last line of stdout that parses as JSON (the CLI prints one JSON line with --json). */
function lastJson(out: string): any {
  const lines = out.trim().split('\n').reverse()
  for (const l of lines) {
    try {
      return JSON.parse(l)
    } catch {
      // a progress line
    }
  }
  return null
}

interface Server {
  origin: string
  token: string
  stop(): Promise<void>
}

/** `serve` on the data folder: one engine for all the searches, the same JSON as `search --json`. */
function serve(data: string): Promise<Server> {
  const child = spawn(process.execPath, [...cliArgs, '--data', data, 'serve'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  return new Promise((ok, fail) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const m = /running at (http:\/\/127\.0\.0\.1:\d+)\/\?token=([\w-]+)/.exec(output)
      if (m) {
        child.stdout!.off('data', onData)
        child.stdout!.resume()
        ok({ origin: m[1], token: m[2], stop: () => new Promise((done) => (child.once('exit', () => done()), child.kill('SIGTERM'))) })
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()))
    child.once('exit', (code) => fail(new Error(`serve exited with ${code}:\n${output}`)))
  })
}

/** One API call; a refusal comes back as { error } with its status. */
async function call(server: Server, method: string, input: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${server.origin}/api/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-mrl-token': server.token },
    body: JSON.stringify(input)
  })
  const text = await res.text()
  let body: any
  try {
    body = JSON.parse(text)
  } catch {
    body = { error: text }
  }
  return { status: res.status, body }
}

// ---- the library ----

function loadManifest(): { manifest: Manifest; real: Real[]; missing: Entry[] } {
  const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as Manifest
  const photos = manifest.photos.filter((p) => p.photo)
  const missing = photos.filter((p) => !existsSync(p.path))
  // Plasma's wallpapers are all named like 2560x1600.jpg: their folder names them
  const name = (p: string) => /\/wallpapers\/([^/]+)\/contents\//.exec(p)?.[1]?.concat(extname(p)) ?? basename(p)
  const real = photos.filter((p) => existsSync(p.path)).map((p, i) => ({ ...p, file: `${String(i).padStart(2, '0')}-${name(p.path)}` }))
  return { manifest, real, missing }
}

/** n Imagenette val JPEGs spread evenly over the (class-sorted) archive, into dir/<wnid>/. */
function extractDistractors(n: number, dir: string): { count: number; classes: Record<string, number> } {
  const tar = join(IMAGENETTE, 'val.tar.gz')
  if (!existsSync(tar)) throw new Error(`--mix needs ${tar}`)
  const names = execFileSync('tar', ['-tzf', tar], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 })
    .split('\n')
    .filter((l) => /\.jpe?g$/i.test(l))
    .sort()
  const pick = Array.from({ length: Math.min(n, names.length) }, (_, i) => names[Math.floor((i * names.length) / Math.min(n, names.length))])
  mkdirSync(dir, { recursive: true })
  const list = join(dir, '..', 'distractors.txt')
  writeFileSync(list, pick.join('\n') + '\n')
  execFileSync('tar', ['-xzf', tar, '-C', dir, '--strip-components=1', '-T', list])
  rmSync(list)
  const classes: Record<string, number> = {}
  for (const p of pick) {
    const wnid = p.split('/').at(-2)!
    classes[wnid] = (classes[wnid] ?? 0) + 1
  }
  return { count: pick.length, classes }
}

// ---- the measures ----

interface WordResult {
  word: string
  labelled: number
  hitAt10: boolean | null
  firstRelevantRank: number | null
  precisionAt10: number | null
  bestPrecisionAt10: number | null
  shown: number
  realShown: number
  distractorsInTop10: number
  relevantDistractorsInTop10: number
  hidden: number | null
  cutoff: number | null
  matched: string[] | null
  groups: { term: string; classes: string[] }[]
  unknown: { term: string; nearest: string[] }[]
  refused: string | null
  message: string | null
  top: string[]
}

/** A refusal in a few words for the table ("not in the vocabulary; nearest: …"); the JSON keeps it whole. */
function shortRefusal(msg: string): string {
  const nearest = /nearest[^:]*:\s*([^.;]+)/i.exec(msg)?.[1]
  if (/vocabulary|cannot see|does not know|unknown/i.test(msg)) return `not in the vocabulary${nearest ? `; nearest: ${nearest.trim()}` : ''}`
  return msg.length > 100 ? `${msg.slice(0, 100)}…` : msg
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN)
const f2 = (x: number | null | undefined) => (x === null || x === undefined || Number.isNaN(x) ? '-' : x.toFixed(2))

async function main(): Promise<void> {
  const mix = Number(arg('--mix') ?? 0)
  const dial = Number(arg('--dial') ?? 1)
  const outFile = arg('--out')
  const { manifest, real, missing } = loadManifest()
  if (missing.length) console.log(`${missing.length} of the manifest's photos are not installed (${missing.map((m) => m.package).filter((p, i, a) => a.indexOf(p) === i).join(', ')}): ${manifest.install}`)
  if (!real.length) throw new Error(`none of the real photos of ${MANIFEST} is installed: ${manifest.install}`)

  const tmp = tempDir('mrl-bench-real-')
  const lib = join(tmp, 'library')
  const realDir = join(lib, 'real-photos')
  const data = join(tmp, 'data')
  mkdirSync(realDir, { recursive: true })
  // copies, not symlinks: the engine follows a symlink only when its target lies inside a library folder
  for (const r of real) copyFileSync(r.path, join(realDir, r.file))
  const distractors = mix > 0 ? extractDistractors(mix, join(lib, 'distractors')) : { count: 0, classes: {} }
  const byFile = new Map(real.map((r) => [r.file, r]))
  const realOf = (path: string): Real | null => (path.startsWith(`${realDir}/`) ? (byFile.get(relative(realDir, path)) ?? null) : null)
  const wnidOf = (path: string): string | null => (path.startsWith(`${lib}/distractors/`) ? relative(join(lib, 'distractors'), path).split('/')[0] : null)

  let server: Server | null = null
  try {
    const cliNote = cliKind === 'out' && statSync(OUT_CLI).mtimeMs < newestSource() ? ' (older than src/: rebuild with npx electron-vite build, or pass --cli src)' : ''
    console.log(`real photos: ${real.length} of ${relative(ROOT, MANIFEST)}${distractors.count ? `, with ${distractors.count} Imagenette distractors` : ''}; CLI ${cliName}${cliNote}`)

    // index, through the CLI
    const idx = cli(data, 'index', lib, '--json')
    const summary = lastJson(idx.stdout)
    if (idx.code !== 0 || !summary) throw new Error(`index failed (exit ${idx.code}):\n${idx.stdout}\n${idx.stderr}`)
    const realPixels = real.reduce((s, r) => s + r.width * r.height, 0)
    console.log(
      `indexed ${summary.photos} photos in ${summary.seconds.toFixed(1)} s (${summary.photosPerSecond.toFixed(2)}/s; the real ones are ${(realPixels / 1e6).toFixed(0)} MP in all), ` +
        `peak RSS ${Math.round(summary.peakRssMB)} MB, ${summary.skipped.length} skipped`
    )
    for (const s of summary.skipped) console.log(`  skipped ${s.path}: ${s.reason}`)

    const st = lastJson(cli(data, 'status', '--json').stdout)
    const model = st?.model ? `${st.model.name} (${st.model.arch}), nesting ${st.model.nesting?.join('/')}` : 'unknown'
    console.log(`model: ${model}`)

    const words = arg('--words')?.split(',').map((w) => w.trim()).filter(Boolean) ?? [
      ...BASE_WORDS,
      ...Object.entries(real.flatMap((r) => r.concepts).reduce<Record<string, number>>((m, c) => ((m[c] = (m[c] ?? 0) + 1), m), {}))
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .map(([c]) => c)
        .filter((c) => !BASE_WORDS.includes(c))
    ]

    // one word through `search --json` itself, to show the API below answers the same
    const probe = words.find((w) => real.some((r) => r.concepts.includes(w))) ?? words[0]
    const viaCli = cli(data, 'search', '--text', probe, '--json', '-k', String(K), '--dial', String(dial))
    const cliRes = viaCli.code === 0 ? lastJson(viaCli.stdout) : null
    const cliMessage = viaCli.code === 0 ? null : (viaCli.stderr.trim() || viaCli.stdout.trim())

    server = await serve(data)
    for (let i = 0; i < 600; i++) {
      const s = await call(server, 'status', {})
      if (s.status === 200 && s.body.progress?.phase !== 'indexing' && s.body.progress?.phase !== 'scanning') break
      await new Promise((r) => setTimeout(r, 250))
    }
    // ids and what the model sees, for every real photo
    const listed: any[] = []
    for (let offset = 0; ; offset += 1000) {
      const page = (await call(server, 'listPhotos', { offset, limit: 1000 })).body
      listed.push(...(page.photos ?? []))
      if (!page.photos?.length || listed.length >= page.total) break
    }
    const seen = new Map<string, any>()
    for (const p of listed) {
      const r = realOf(p.path)
      if (r) {
        r.id = p.id
        seen.set(r.file, p)
      }
    }
    const notIndexed = real.filter((r) => r.id === undefined)
    if (notIndexed.length) console.log(`not indexed: ${notIndexed.map((r) => r.path).join(', ')}`)

    const search = (query: unknown, limit: number, filter?: unknown) => call(server!, 'search', { query, limit, dial, ...(filter ? { filter } : {}) })
    const realFilter = { folder: `/${basename(realDir)}` }

    if (cliRes) {
      const again = await search({ kind: 'text', text: probe }, K)
      const same = JSON.stringify((again.body.hits ?? []).map((h: any) => h.id)) === JSON.stringify((cliRes.hits ?? []).map((h: any) => h.id))
      console.log(`check: \`search --text ${probe} --json\` through the CLI (${viaCli.seconds.toFixed(1)} s) and serve's API return ${same ? 'the same' : 'DIFFERENT'} hits`)
    } else {
      const again = await search({ kind: 'text', text: probe }, K)
      const same = again.status !== 200 && (cliMessage ?? '').includes(String(again.body?.error ?? '\u0000'))
      console.log(`check: \`search --text ${probe} --json\` through the CLI (${viaCli.seconds.toFixed(1)} s) refused it, ${same ? 'as' : 'UNLIKE'} serve's API: ${shortRefusal(cliMessage ?? '')}`)
    }

    // ---- text search ----
    const text: WordResult[] = []
    const all = summary.photos as number
    for (const word of words) {
      const relevant = new Set(real.filter((r) => r.concepts.includes(word)).map((r) => r.file))
      const whole = await search({ kind: 'text', text: word }, Math.min(500, Math.max(K, all)))
      const res: WordResult = {
        word,
        labelled: relevant.size,
        hitAt10: null,
        firstRelevantRank: null,
        precisionAt10: null,
        bestPrecisionAt10: relevant.size ? Math.min(relevant.size, K) / K : null,
        shown: 0,
        realShown: 0,
        distractorsInTop10: 0,
        relevantDistractorsInTop10: 0,
        hidden: null,
        cutoff: null,
        matched: null,
        groups: [],
        unknown: [],
        refused: null,
        message: null,
        top: []
      }
      if (whole.status !== 200) {
        res.refused = String(whole.body?.error ?? `HTTP ${whole.status}`)
        text.push(res)
        continue
      }
      const b = whole.body
      const hits: any[] = Array.isArray(b.hits) ? b.hits : []
      res.shown = hits.length
      res.hidden = b.cutoff?.hidden ?? null
      res.cutoff = b.cutoff?.score ?? null
      res.matched = b.matched?.classes ?? null
      res.groups = b.matched?.groups ?? []
      res.unknown = b.matched?.unknown ?? []
      if (b.message) res.message = String(b.message)
      else if (!hits.length) res.message = `no photos match${b.cutoff ? ` (cut-off ${f2(b.cutoff.score)} at ${b.cutoff.dims} dims hid ${b.cutoff.hidden})` : ''}`
      const top = hits.slice(0, K)
      res.top = top.map((h) => realOf(h.path)?.file ?? `[${wnidOf(h.path) ?? '?'}] ${basename(h.path)}`)
      res.distractorsInTop10 = top.filter((h) => !realOf(h.path)).length
      res.relevantDistractorsInTop10 = top.filter((h) => (DISTRACTOR_MATCHES[word] ?? []).includes(wnidOf(h.path) ?? '')).length
      const rank = hits.findIndex((h) => relevant.has(realOf(h.path)?.file ?? ''))
      res.firstRelevantRank = rank >= 0 ? rank + 1 : null
      if (relevant.size) res.hitAt10 = rank >= 0 && rank < K
      // P@10 among the real photos: the same search, filtered to their folder
      const onlyReal = distractors.count ? await search({ kind: 'text', text: word }, K, realFilter) : { status: 200, body: { hits: top } }
      const realHits: any[] = onlyReal.status === 200 && Array.isArray(onlyReal.body.hits) ? onlyReal.body.hits.filter((h: any) => realOf(h.path)) : []
      res.realShown = realHits.length
      if (relevant.size) res.precisionAt10 = realHits.slice(0, K).filter((h) => relevant.has(realOf(h.path)!.file)).length / K
      text.push(res)
    }

    // ---- find-similar ----
    const kindCount = real.reduce<Record<string, number>>((m, r) => ((m[r.kind] = (m[r.kind] ?? 0) + 1), m), {})
    const similar: { file: string; kind: string; returned: number; sameKind: number; shareOf10: number; shareOfReturned: number | null; partners: number; recall: number | null; hidden: number | null; refused: string | null; top: string[] }[] = []
    for (const r of real) {
      if (r.id === undefined) continue
      const res = await search({ kind: 'photo', id: r.id }, K, realFilter)
      const partners = kindCount[r.kind] - 1
      if (res.status !== 200) {
        similar.push({ file: r.file, kind: r.kind, returned: 0, sameKind: 0, shareOf10: 0, shareOfReturned: null, partners, recall: partners ? 0 : null, hidden: null, refused: String(res.body?.error ?? res.status), top: [] })
        continue
      }
      const hits = (Array.isArray(res.body.hits) ? res.body.hits : []).map((h: any) => realOf(h.path)).filter((x: Real | null): x is Real => x !== null && x.file !== r.file).slice(0, K)
      const same = hits.filter((h: Real) => h.kind === r.kind).length
      similar.push({
        file: r.file,
        kind: r.kind,
        returned: hits.length,
        sameKind: same,
        shareOf10: same / K,
        shareOfReturned: hits.length ? same / hits.length : null,
        partners,
        recall: partners ? same / Math.min(partners, K) : null,
        hidden: res.body.cutoff?.hidden ?? null,
        refused: null,
        top: hits.map((h: Real) => `${h.kind}:${h.file}`)
      })
    }
    const kinds = Object.keys(kindCount).sort((a, b) => kindCount[b] - kindCount[a] || a.localeCompare(b))
    const perKind = kinds.map((kind) => {
      const xs = similar.filter((s) => s.kind === kind)
      return { kind, photos: kindCount[kind], shareOf10: mean(xs.map((s) => s.shareOf10)), recall: kindCount[kind] > 1 ? mean(xs.map((s) => s.recall ?? 0)) : null, returned: mean(xs.map((s) => s.returned)) }
    })
    const partnered = similar.filter((s) => s.partners > 0)
    const best = (xs: typeof similar) => mean(xs.map((s) => Math.min(s.partners, K) / K))

    // ---- the report ----
    console.log(`\ntext search: top ${K} at dial ${dial}; P@10 among the ${real.length} real photos (best: min(labelled, 10)/10)${distractors.count ? '; distractors in the top 10 of the whole library' : ''}`)
    const head = ['word', 'labelled', 'hit@10', 'rank', 'P@10', 'best', 'shown', 'hidden', distractors.count ? 'distr' : '', 'what came back']
    const rows = text.map((t) => [
      t.word,
      String(t.labelled),
      t.hitAt10 === null ? '-' : t.hitAt10 ? 'yes' : 'no',
      t.firstRelevantRank === null ? '-' : String(t.firstRelevantRank),
      f2(t.precisionAt10),
      f2(t.bestPrecisionAt10),
      String(t.shown),
      t.hidden === null ? '-' : String(t.hidden),
      distractors.count ? `${t.distractorsInTop10}${t.relevantDistractorsInTop10 ? ` (${t.relevantDistractorsInTop10} right)` : ''}` : '',
      t.refused
        ? `refused: ${shortRefusal(t.refused)}`
        : [
            t.matched ? `matched ${t.matched.slice(0, 4).join(', ')}${t.matched.length > 4 ? ` +${t.matched.length - 4}` : ''}` : '',
            ...t.unknown.map((u) => `unknown “${u.term}”${u.nearest.length ? ` (nearest: ${u.nearest.slice(0, 5).join(', ')})` : ''}`),
            t.message ?? ''
          ]
            .filter(Boolean)
            .join('; ')
    ])
    const refusals = [...new Set(text.filter((t) => t.refused).map((t) => t.refused!.replace(/[“"][^”"]*[”"]/, '“…”')))]
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
    const fmt = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c.slice(0, 160) : c.padEnd(widths[i]))).filter((c, i) => head[i] !== '' || c).join('  ')
    console.log(fmt(head))
    for (const r of rows) console.log(fmt(r))
    for (const r of refusals.slice(0, 5)) console.log(`refusal, in full: ${r}`)
    const labelledWords = text.filter((t) => t.labelled > 0)
    const answered = labelledWords.filter((t) => !t.refused)
    const textSummary = {
      words: text.length,
      wordsWithLabelledPhotos: labelledWords.length,
      refused: text.filter((t) => t.refused).length,
      empty: text.filter((t) => !t.refused && t.shown === 0).length,
      hitAt10: mean(labelledWords.map((t) => (t.hitAt10 ? 1 : 0))),
      precisionAt10: mean(labelledWords.map((t) => t.precisionAt10 ?? 0)),
      bestPrecisionAt10: mean(labelledWords.map((t) => t.bestPrecisionAt10 ?? 0)),
      baseWords: {
        hitAt10: mean(labelledWords.filter((t) => BASE_WORDS.includes(t.word)).map((t) => (t.hitAt10 ? 1 : 0))),
        precisionAt10: mean(labelledWords.filter((t) => BASE_WORDS.includes(t.word)).map((t) => t.precisionAt10 ?? 0)),
        words: labelledWords.filter((t) => BASE_WORDS.includes(t.word)).length
      },
      answeredHitAt10: mean(answered.map((t) => (t.hitAt10 ? 1 : 0))),
      answeredPrecisionAt10: mean(answered.map((t) => t.precisionAt10 ?? 0))
    }
    console.log(
      `words with labelled photos: ${labelledWords.length} of ${text.length}; refused ${textSummary.refused}, answered with nothing ${textSummary.empty}; ` +
        `hit@10 ${f2(textSummary.hitAt10)}, P@10 ${f2(textSummary.precisionAt10)} (best ${f2(textSummary.bestPrecisionAt10)}); ` +
        `the ${textSummary.baseWords.words} base words with photos: hit@10 ${f2(textSummary.baseWords.hitAt10)}, P@10 ${f2(textSummary.baseWords.precisionAt10)}; ` +
        `the ${answered.length} answered words with photos: hit@10 ${f2(textSummary.answeredHitAt10)}, P@10 ${f2(textSummary.answeredPrecisionAt10)}`
    )

    console.log(`\nfind-similar: top ${K} among the real photos (itself excluded), share of the same kind`)
    console.log(`${'kind'.padEnd(12)}  photos  same@10  best@10  recall  returned`)
    for (const k of perKind.filter((x) => x.photos > 1)) console.log(`${k.kind.padEnd(12)}  ${String(k.photos).padStart(6)}  ${f2(k.shareOf10).padStart(7)}  ${f2(Math.min(k.photos - 1, K) / K).padStart(7)}  ${f2(k.recall).padStart(6)}  ${k.returned.toFixed(1).padStart(8)}`)
    const single = perKind.filter((x) => x.photos === 1).map((x) => x.kind)
    if (single.length) console.log(`(${single.length} kinds have one photo, so nothing of their kind to find: ${single.join(', ')})`)
    const similarSummary = {
      photos: similar.length,
      shareOf10: mean(similar.map((s) => s.shareOf10)),
      bestShareOf10: best(similar),
      withPartner: partnered.length,
      withPartnerShareOf10: mean(partnered.map((s) => s.shareOf10)),
      withPartnerBestShareOf10: best(partnered),
      withPartnerRecall: mean(partnered.map((s) => s.recall ?? 0)),
      meanReturned: mean(similar.map((s) => s.returned)),
      refused: similar.filter((s) => s.refused).length,
      chance: mean(partnered.map((s) => s.partners / (real.length - 1))),
      chanceRecall: Math.min(1, K / (real.length - 1))
    }
    console.log(
      `all ${similar.length} photos: same kind ${f2(similarSummary.shareOf10)} of the top 10 (best ${f2(similarSummary.bestShareOf10)}); ` +
        `the ${partnered.length} with another photo of their kind: ${f2(similarSummary.withPartnerShareOf10)} (best ${f2(similarSummary.withPartnerBestShareOf10)}, a random top 10 ${f2(similarSummary.chance)}), ` +
        `recall ${f2(similarSummary.withPartnerRecall)} (random ${f2(similarSummary.chanceRecall)}); ${similarSummary.meanReturned.toFixed(1)} returned on average${similarSummary.refused ? `; ${similarSummary.refused} refused` : ''}`
    )

    const sees = real.map((r) => {
      const p = seen.get(r.file)
      return { file: r.file, path: r.path, kind: r.kind, concepts: r.concepts, id: r.id ?? null, label: p?.label ?? null, labelConfidence: p?.labelConfidence ?? null, guess: p?.guess ?? null }
    })
    console.log('\nwhat the model sees in each real photo (its label; calibrated guess where the model has one):')
    for (const s of sees) {
      const g = s.guess ? `${s.guess.label ?? `(none; below: ${s.guess.below?.name ?? '-'})`} p=${f2(s.guess.p)}` : '-'
      console.log(`  ${s.kind.padEnd(11)} ${String(s.label).padEnd(22)} ${f2(s.labelConfidence)}  guess ${g.padEnd(30)} ${s.file}`)
    }

    const result = {
      name: 'real-photos',
      manifest: relative(ROOT, MANIFEST),
      cli: cliName,
      model,
      dial,
      realPhotos: real.length,
      missing: missing.map((m) => m.path),
      distractors,
      index: { photos: summary.photos, seconds: summary.seconds, photosPerSecond: summary.photosPerSecond, peakRssMB: summary.peakRssMB, skipped: summary.skipped, megapixels: realPixels / 1e6 },
      text: { summary: textSummary, words: text },
      similar: { summary: similarSummary, perKind, photos: similar },
      photos: sees
    }
    if (outFile) {
      writeFileSync(outFile, JSON.stringify(result, null, 1))
      console.log(`\nwrote ${outFile}`)
    }
  } finally {
    await server?.stop()
    if (flag('--keep')) console.log(`kept ${tmp}`)
    else rmSync(tmp, { recursive: true, force: true })
  }
}

main().catch((err) => {
  console.error(`error: ${err.message ?? err}`)
  process.exit(1)
})

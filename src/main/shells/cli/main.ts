#!/usr/bin/env node
// The CLI: index, search, serve, status, over the same engine as the app.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describeGuess } from '../../../shared/describe'
import { Command, InvalidArgumentError } from 'commander'
import cliProgress from 'cli-progress'
import { Engine } from '../../app/engine'
import { resourcesDir } from '../../adapters/models/modelCard'
import { startServer } from '../server'
import { defaultDataDir, rendererDir } from '../../app/config'
import { createRpc } from '../rpc'
import type { FineTune, Models, ModelSwitchStatus, Progress, SearchRequest, Training } from '../../../shared/api'

const program = new Command('mrl-photos').description('Private, offline photo search with Matryoshka embeddings')
program.option('--data <dir>', 'data folder (index, thumbnails)', defaultDataDir())

const number = (v: string) => {
  const n = Number(v)
  if (!Number.isFinite(n)) throw new InvalidArgumentError('not a number')
  return n
}

/** resume: go on with an interrupted model switch (commands that change the library or the model do). */
async function withEngine<T>(fn: (engine: Engine) => Promise<T>, resume = false): Promise<T> {
  const engine = await Engine.open({ dataDir: program.opts().data, resume })
  try {
    return await fn(engine)
  } finally {
    await engine.close()
  }
}

/** Runs one API call through the same validation as the app; prints the error and exits 1 on failure. */
async function call(engine: Engine, method: string, input: unknown): Promise<any> {
  const out = await createRpc(engine)(method, input)
  if (out.status !== 200) {
    console.error(`error: ${(out.body as { error: string }).error}`)
    process.exit(1)
  }
  return out.body
}

function progressBar(engine: Engine, quiet: boolean): () => void {
  if (quiet) return () => {}
  const bar = new cliProgress.SingleBar(
    { format: '{phase} |{bar}| {value}/{total} photos | {rate}/s | ETA {eta_formatted} | {skipped} skipped', hideCursor: true },
    cliProgress.Presets.shades_classic
  )
  let started = false
  const onProgress = (p: Progress) => {
    if (p.phase === 'indexing' && p.total > 0) {
      if (!started) bar.start(p.total, 0, { phase: 'indexing', rate: '0', skipped: 0 })
      started = true
      bar.update(p.done, { phase: p.phase, rate: p.perSecond.toFixed(1), skipped: p.skipped })
    } else if (p.phase === 'calibrating' && started) bar.update({ phase: 'measuring dial' })
  }
  engine.on('progress', onProgress)
  return () => {
    engine.off('progress', onProgress)
    if (started) bar.stop()
  }
}

program
  .command('index')
  .argument('<folder>', 'photo folder to add and index')
  .option('--json', 'print the summary as JSON')
  .description('add a folder to the library and index it (incremental)')
  .action(async (folder: string, opts: { json?: boolean }) => {
    await withEngine(async (engine) => {
      const done = progressBar(engine, Boolean(opts.json))
      const t0 = performance.now()
      await call(engine, 'addFolder', { path: folder })
      await engine.idle()
      done()
      const secs = (performance.now() - t0) / 1000
      const status = await call(engine, 'status', {})
      const skipped = (await call(engine, 'skipped', {})).files as { path: string; reason: string }[]
      const p = status.progress as Progress
      const peakRssMB = process.resourceUsage().maxRSS / 1024 // the worker thread shares this process
      const summary = { photos: status.photos, processed: p.total, seconds: secs, photosPerSecond: p.total / secs, peakRssMB, skipped, message: p.message }
      if (opts.json) console.log(JSON.stringify(summary))
      else {
        console.log(`${status.photos} photos in the library; ${p.total} processed in ${secs.toFixed(1)} s (${summary.photosPerSecond.toFixed(1)}/s); peak RSS ${peakRssMB.toFixed(0)} MB`)
        for (const s of skipped) console.log(`skipped ${s.path}: ${s.reason}`)
      }
      if (p.message.startsWith('indexing failed')) {
        console.error(`error: ${p.message}`)
        process.exitCode = 1 // after the engine closes: what was committed stays committed
      }
    })
  })

program
  .command('search')
  .description('search by photo file, by an indexed photo id, or by words')
  .option('--image <file>', 'a photo file to search by')
  .option('--similar <id>', 'an indexed photo id', number)
  .option('--text <words>', 'words, expanded with WordNet onto the model\'s classes')
  .option('--dims <n>', 'exact search on the first n dims', number)
  .option('--all', 'show every result, also those below the model card\'s calibrated relevance cut-off')
  .option('--dial <x>', '0 (fastest) .. 1 (exact)', number)
  .option('-k, --limit <k>', 'results', number, 10)
  .option('--json', 'print JSON')
  .action(async (opts: { image?: string; similar?: number; text?: string; dims?: number; dial?: number; limit: number; json?: boolean; all?: boolean }) => {
    const query = opts.image
      ? { kind: 'image', data: readFileSync(opts.image).toString('base64') }
      : opts.similar !== undefined
        ? { kind: 'photo', id: opts.similar }
        : opts.text
          ? { kind: 'text', text: opts.text }
          : null
    if (!query) program.error('give --image, --similar or --text')
    const req: Record<string, unknown> = { query, limit: opts.limit, relevance: opts.all ? 'all' : 'calibrated' }
    if (opts.dims !== undefined) req.config = { ds: opts.dims, k: 0, dr: opts.dims }
    else req.dial = opts.dial ?? 1
    await withEngine(async (engine) => {
      const res = await call(engine, 'search', req as SearchRequest)
      if (opts.json) return console.log(JSON.stringify(res))
      if (res.matched) console.log(`matched: ${res.matched.via.join(', ')}`)
      for (const u of res.matched?.unknown ?? []) console.log(`the model cannot see “${u.term}”${u.nearest.length ? `; nearest it knows: ${u.nearest.join(', ')}` : ''}`)
      const s = res.stats
      console.log(`${s.exact ? `exact at ${s.dr} dims` : `shortlist ${s.k} at ${s.ds} dims → rerank at ${s.dr}`}; ${s.scanned} compared; ${s.ms.toFixed(2)} ms`)
      if (res.cutoff) console.log(`relevance cut-off ${res.cutoff.score.toFixed(4)} at ${res.cutoff.dims} dims: ${res.cutoff.hidden} below it not shown`)
      if (!res.hits.length) console.log('no photos match')
      for (const h of res.hits) console.log(`${h.score.toFixed(4)}  ${(h.guess ? describeGuess(h.guess) : h.label).padEnd(24)} ${h.path}`)
    })
  })

program
  .command('serve')
  .description('browser mode: the app on http://127.0.0.1 (loopback only)')
  .option('--port <port>', 'port (default: any free)', number)
  .action(async (opts: { port?: number }) => {
    const engine = await Engine.open({ dataDir: program.opts().data })
    const server = await startServer({ engine, rendererDir: rendererDir(), port: opts.port })
    console.log(`MRL Photos is running at ${server.url}`)
    console.log(`data folder: ${engine.dataDir}`)
    const stop = async () => {
      await server.close()
      await engine.close()
      process.exit(0)
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
    const status = await engine.status()
    if (status.folders.length) await engine.reindex() // pick up what changed while the app was closed
  })

program
  .command('label')
  .argument('<label>', 'the label (created if new)')
  .argument('<paths...>', 'indexed photos, or folders whose indexed photos all get the label')
  .description('give indexed photos one of your labels (what `train` learns from)')
  .action(async (label: string, paths: string[]) => {
    await withEngine(async (engine) => {
      const roots = paths.map((p) => resolve(p))
      const ids = [...engine.indexedPhotos()].filter((m) => roots.some((r) => m.path === r || m.path.startsWith(`${r}/`))).map((m) => m.id)
      if (!ids.length) program.error('none of those paths is an indexed photo or holds one')
      const res = await call(engine, 'assignLabel', { ids, label })
      console.log(`${ids.length} photos labelled “${label}”; ${res.labelled} labelled in all`)
    })
  })

/** Fine-tunes the whole model in PyTorch, imports it, and follows the re-embedding to its end. */
async function trainBackbone(engine: Engine, opts: { json?: boolean; epochs?: number }): Promise<void> {
  const pct = (xs: number[]) => xs.map((x) => (100 * x).toFixed(0).padStart(3)).join(' ')
  let said = ''
  let toldBefore = false
  const onRun = (t: FineTune) => {
    if (opts.json) return
    if (!toldBefore && t.before.length) console.log(`before fine-tuning: held-out accuracy per prefix (${t.nesting.join('/')}): ${pct(t.before)}`)
    toldBefore ||= t.before.length > 0
    const line = t.phase === 'training' && t.epoch > 0 ? `epoch ${t.epoch}/${t.epochs}  loss ${t.loss?.toFixed(3)}  held-out accuracy per prefix: ${pct(t.perPrefix)}` : t.message
    if (line && line !== said) console.log(line)
    said = line
  }
  engine.on('backbone', onRun)
  const stop = () => void call(engine, 'cancelBackbone', {})
  process.once('SIGINT', stop)
  await call(engine, 'trainBackbone', opts.epochs === undefined ? {} : { epochs: opts.epochs })
  await engine.backboneIdle()
  process.off('SIGINT', stop)
  engine.off('backbone', onRun)
  const t = (await call(engine, 'backbone', {})).run as FineTune
  if (opts.json) console.log(JSON.stringify(t))
  if (t.phase !== 'done') {
    if (!opts.json && t.phase === 'failed') console.error(`error: ${t.message}`)
    process.exitCode = 1
    return
  }
  await followSwitch(engine, Boolean(opts.json))
}

program
  .command('train')
  .option('--unsupervised', 'no labels: make the prefixes of a non-Matryoshka model keep its full-embedding neighbours')
  .option('--backbone', 'fine-tune the whole model in PyTorch (needs Python with torch), import it and search with it')
  .option('--epochs <n>', 'with --backbone: at most this many epochs (early stopping on the held-out photos)', number)
  .option('--json', 'print the finished run as JSON')
  .description('fine-tune a Matryoshka adaptor on your labels (from the stored embeddings) and search with it')
  .action(async (opts: { unsupervised?: boolean; backbone?: boolean; epochs?: number; json?: boolean }) => {
    if (opts.backbone) return withEngine((engine) => trainBackbone(engine, opts))
    await withEngine(async (engine) => {
      const pct = (xs: number[]) => xs.map((x) => (100 * x).toFixed(0).padStart(3)).join(' ')
      const onTraining = (t: Training) => {
        if (!opts.json && t.phase === 'training' && t.epoch > 0) console.log(`epoch ${t.epoch}/${t.epochs}  loss ${t.loss?.toFixed(3)}  ${t.metric} per prefix (${t.nesting.join('/')}): ${pct(t.perPrefix)}`)
        else if (!opts.json && t.message) console.log(t.message)
      }
      engine.on('training', onTraining)
      const stop = () => void call(engine, 'cancelTraining', {})
      process.once('SIGINT', stop)
      await call(engine, 'train', { kind: opts.unsupervised ? 'unsupervised' : 'supervised' })
      await engine.trainingIdle()
      process.off('SIGINT', stop)
      engine.off('training', onTraining)
      const t = (await call(engine, 'training', {})) as Training
      if (opts.json) console.log(JSON.stringify(t))
      if (t.phase !== 'done') process.exitCode = 1
    })
  })

program
  .command('adaptors')
  .argument('[use]', 'a version number to search with, or "none" for the model\'s own embeddings (roll back)')
  .description('list the trained adaptor versions, or pick the one search uses')
  .action(async (use?: string) => {
    await withEngine(async (engine) => {
      const res = use === undefined ? await call(engine, 'adaptors', {}) : await call(engine, 'useAdaptor', { version: use === 'none' ? null : Number(use) })
      for (const v of res.versions) {
        console.log(`${v.version === res.active ? '*' : ' '} v${v.version}  ${v.kind}  ${v.createdAt}  ${v.photos} photos  ${v.metric}: ${v.perPrefix.map((x: number) => (100 * x).toFixed(0)).join('/')}`)
      }
      if (res.active === null) console.log('search uses the model\'s own embeddings')
    })
  })

/** Follows a model switch to its end, printing its progress; exit code 1 if it failed. */
async function followSwitch(engine: Engine, json: boolean): Promise<void> {
  let last = ''
  const onSwitch = (s: ModelSwitchStatus) => {
    const line = s.phase === 'embedding' ? `embedding ${s.done}/${s.total} (${s.perSecond.toFixed(1)}/s)` : `${s.phase}: ${s.message}`
    if (!json && line !== last && (s.phase !== 'embedding' || s.done === s.total || s.done % 320 < 32)) console.log(line)
    last = line
  }
  engine.on('modelSwitch', onSwitch)
  const stop = () => void call(engine, 'cancelModelSwitch', {})
  process.once('SIGINT', stop)
  await engine.modelSwitchIdle()
  process.off('SIGINT', stop)
  engine.off('modelSwitch', onSwitch)
  const res = (await call(engine, 'models', {})) as Models
  if (json) console.log(JSON.stringify(res))
  if (res.switch.phase === 'failed') {
    console.error(`error: ${res.switch.message}`)
    process.exitCode = 1
  }
}

function printModels(res: Models): void {
  for (const m of res.models) {
    const speed = m.report.msPerPhoto ? `, ${m.report.msPerPhoto.toFixed(2)} ms/photo` : ''
    console.log(`${m.active ? '*' : ' '} ${m.id.slice(0, 12)}  ${m.name}  ${m.source}  ${m.dims} dims, ${m.matryoshka ? `nesting ${m.nesting.join('/')}` : 'not Matryoshka'}${speed}`)
  }
}

const model = program.command('model').description('the image encoder: list, import an ONNX model, switch')

model
  .command('list')
  .option('--json', 'print JSON')
  .description('the bundled and imported models; * marks the one search uses')
  .action(async (opts: { json?: boolean }) => {
    await withEngine(async (engine) => {
      const res = (await call(engine, 'models', {})) as Models
      if (opts.json) return console.log(JSON.stringify(res))
      printModels(res)
      if (res.switch.phase !== 'idle') console.log(`switch: ${res.switch.phase} ${res.switch.message}`)
    })
  })

model
  .command('import')
  .argument('<onnx>', 'the ONNX image encoder')
  .option('--card <json>', 'its model card, in our format (resources/models/*.json)')
  .option('--size <px>', 'input size (without a card)', number)
  .option('--mean <r,g,b>', 'per-channel mean of x/255 (without a card)')
  .option('--std <r,g,b>', 'per-channel std (without a card)')
  .option('--bgr', 'the model takes BGR')
  .option('--nhwc', 'the model takes NHWC')
  .option('--input <name>', 'the image input (default: the only one)')
  .option('--output <name>', 'the embedding output (without a card)')
  .option('--name <name>', 'a name for it')
  .option('--no-use', 'only import; keep searching with the current model')
  .option('--json', 'print JSON')
  .description('check an ONNX image encoder on a few library photos, keep a copy, re-embed the library and switch to it')
  .action(async (onnx: string, opts: { card?: string; size?: number; mean?: string; std?: string; bgr?: boolean; nhwc?: boolean; input?: string; output?: string; name?: string; use: boolean; json?: boolean }) => {
    const triple = (v: string | undefined, what: string) => {
      const xs = (v ?? '').split(',').map(Number)
      if (xs.length !== 3 || !xs.every(Number.isFinite)) program.error(`--${what} takes three numbers, r,g,b`)
      return xs
    }
    const source = opts.card
      ? { cardPath: resolve(opts.card) }
      : {
          settings: {
            name: opts.name,
            size: opts.size ?? program.error('give --card, or --size, --mean, --std and --output'),
            mean: triple(opts.mean, 'mean'),
            std: triple(opts.std, 'std'),
            channels: opts.bgr ? ('BGR' as const) : ('RGB' as const),
            layout: opts.nhwc ? ('NHWC' as const) : ('NCHW' as const),
            inputName: opts.input,
            output: opts.output ?? program.error('give --output, the embedding output\'s name')
          }
        }
    await withEngine(async (engine) => {
      const res = await call(engine, 'importModel', { path: resolve(onnx), ...source, use: opts.use })
      const r = res.model.report
      if (!opts.json) {
        console.log(`imported ${res.model.name} (${res.model.id.slice(0, 12)}): ${r.dims} dims, ${r.msPerPhoto.toFixed(2)} ms/photo on ${r.photos || 'a generated'} photo${r.photos === 1 ? '' : 's'}${res.model.matryoshka ? '' : '; not Matryoshka'}`)
        for (const w of r.warnings) console.log(`warning: ${w}`)
      }
      if (opts.use) await followSwitch(engine, Boolean(opts.json))
      else if (opts.json) console.log(JSON.stringify(res))
    }, true)
  })

model
  .command('use')
  .argument('<model>', 'id (or its first characters), name, or "bundled"')
  .option('--json', 'print JSON')
  .description('re-embed the library with this model and switch to it; search keeps the current one until done')
  .action(async (key: string, opts: { json?: boolean }) => {
    await withEngine(async (engine) => {
      const before = (await call(engine, 'models', {})) as Models
      // a switch resumed at start-up (after a crash) is followed, not started again
      if (!engine.modelSwitchBusy) await call(engine, 'useModel', { id: key })
      else if (!opts.json) console.log(`resuming the switch to ${before.switch.to}`)
      await followSwitch(engine, Boolean(opts.json))
    }, true)
  })

program
  .command('status')
  .option('--json', 'print JSON')
  .description('library, folders, model and the measured dial')
  .action(async (opts: { json?: boolean }) => {
    await withEngine(async (engine) => {
      const s = await call(engine, 'status', {})
      if (opts.json) return console.log(JSON.stringify(s))
      console.log(`data folder: ${s.dataDir}\nmodel: ${s.model.name} (${s.model.arch}), nesting ${s.model.nesting.join('/')}\nphotos: ${s.photos}`)
      for (const f of s.folders) console.log(`  ${f.path}: ${f.photos}`)
      console.log('dial:')
      for (const d of s.dial) {
        const c = d.config
        const recall = d.recall === null ? 'not measured' : `recall@10 ${d.recall.toFixed(3)}, ${d.ms.toFixed(2)} ms`
        console.log(`  ${d.position.toFixed(2)}  ${d.exact ? `exact ${c.dr}` : `${c.ds} → K=${c.k} → ${c.dr}`}  ${recall}`)
      }
    })
  })

program
  .command('bench')
  .description('the adaptive-deployment benchmark, from a source checkout (same as npm run bench); --small for the CI size')
  .allowUnknownOption()
  .argument('[options...]', 'passed on: --small, --no-1m, --no-peers, --queries N, --speed N, --out DIR, --indexing')
  .action((options: string[]) => {
    // the benchmark is TypeScript beside the sources (bench/run.ts), not part of the built app
    const root = resolve(resourcesDir(), '..')
    const script = join(root, 'bench', 'run.ts')
    if (!existsSync(script)) program.error(`no benchmark at ${script}: run it from a source checkout`)
    const res = spawnSync(process.execPath, ['--import', 'tsx', script, ...options], { cwd: root, stdio: 'inherit' })
    process.exit(res.status ?? 1)
  })

program.parseAsync().catch((err) => {
  console.error(`error: ${err.message ?? err}`)
  process.exit(1)
})

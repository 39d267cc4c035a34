// The library commands: index a folder, label photos, the status, and browser mode.
import { resolve } from 'node:path'
import type { Command } from 'commander'
import { Engine } from '../../app/engine'
import { isInside } from '../../adapters/fs/paths'
import { rendererDir } from '../../app/config'
import { startServer } from '../server'
import { allPhotos, call, dataDir, number, withEngine } from './call'
import { progressBar } from './progress'

export function libraryCommands(program: Command): void {
  program
    .command('index')
    .argument('<folder>', 'photo folder to add and index')
    .option('--json', 'print the summary as JSON')
    .description('add a folder to the library and index it (incremental)')
    .action(async (folder: string, opts: { json?: boolean }) => {
      await withEngine(program, async (engine) => {
        const done = progressBar(engine, Boolean(opts.json))
        const t0 = performance.now()
        await call(engine, 'addFolder', { path: folder })
        await engine.idle()
        done()
        const secs = (performance.now() - t0) / 1000
        const status = await call(engine, 'status', {})
        const skipped = (await call(engine, 'skipped', {})).files
        const p = status.progress
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
    .command('label')
    .argument('<label>', 'the label (created if new)')
    .argument('<paths...>', 'indexed photos, or folders whose indexed photos all get the label')
    .description('give indexed photos one of your labels (what `train` learns from)')
    .action(async (label: string, paths: string[]) => {
      await withEngine(program, async (engine) => {
        const roots = paths.map((p) => resolve(p))
        const ids = (await allPhotos(engine)).filter((m) => roots.some((r) => isInside(m.path, r))).map((m) => m.id)
        if (!ids.length) program.error('none of those paths is an indexed photo or holds one')
        const res = await call(engine, 'assignLabel', { ids, label })
        console.log(`${ids.length} photos labelled “${label}”; ${res.labelled} labelled in all`)
      })
    })

  program
    .command('status')
    .option('--json', 'print JSON')
    .description('data folder, library folders, model and the measured dial')
    .action(async (opts: { json?: boolean }) => {
      await withEngine(program, async (engine) => {
        const s = await call(engine, 'status', {})
        if (opts.json) return console.log(JSON.stringify(s))
        console.log(`data folder: ${s.dataDir}\nmodel: ${s.model.name} (${s.model.arch}), nesting ${s.model.nesting.join('/')}\nphotos: ${s.photos}`)
        for (const f of s.folders) console.log(`  ${f.path}: ${f.photos}`)
        console.log('dial:')
        for (const d of s.dial) {
          const c = d.config
          const recall = d.recall === null || d.ms === null ? 'not measured' : `recall@10 ${d.recall.toFixed(3)}, ${d.ms.toFixed(2)} ms`
          console.log(`  ${d.position.toFixed(2)}  ${d.exact ? `exact ${c.dr}` : `${c.ds} → K=${c.k} → ${c.dr}`}  ${recall}`)
        }
      })
    })

  program
    .command('serve')
    .description('browser mode: the app on http://127.0.0.1 (loopback only)')
    .option('--port <port>', 'port (default: any free)', number)
    .action(async (opts: { port?: number }) => {
      const engine = await Engine.open({ dataDir: dataDir(program) })
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
      const status = await call(engine, 'status', {})
      if (status.folders.length) await call(engine, 'reindex', {}) // pick up what changed while the app was closed
    })
}

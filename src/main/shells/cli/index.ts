// `index`: add a folder to the library and index it, with a progress bar; the summary at the end.
import type { Command } from 'commander'
import { call, withEngine } from './call'
import { progressBar } from './progress'

export function indexCommand(program: Command): void {
  program
    .command('index')
    .argument('<folder>', 'photo folder to add and index')
    .option('--json', 'print the summary as JSON')
    .description('add a folder to the library and index it (incremental)')
    .action(async (folder: string, opts: { json?: boolean }) => {
      await withEngine(program, async (engine) => {
        const done = progressBar(engine, Boolean(opts.json))
        const t0 = performance.now()
        const before = new Set((await call(engine, 'skipped', {})).files.map((s) => `${s.path}\0${s.reason}`))
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
          // each skipped file once: those this run found; the ones known before as a count
          const fresh = skipped.filter((s) => !before.has(`${s.path}\0${s.reason}`))
          for (const s of fresh) console.log(`skipped ${s.path}: ${s.reason}`)
          const earlier = skipped.length - fresh.length
          if (earlier) console.log(`${earlier === 1 ? '1 file' : `${earlier} files`} skipped on an earlier run ${earlier === 1 ? 'is' : 'are'} still skipped (index --json lists every one)`)
        }
        if (p.message.startsWith('indexing failed')) {
          console.error(`error: ${p.message}`)
          process.exitCode = 1 // after the engine closes: what was committed stays committed
        }
      })
    })
}

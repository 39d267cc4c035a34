// `status`: the data folder in use (the app's by default), the library's folders, the model and the dial.
import type { Command } from 'commander'
import { call, withEngine } from './call'

export function statusCommand(program: Command): void {
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
}

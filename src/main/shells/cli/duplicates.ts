// `duplicates [--json] [--similar]`: the groups of copies (exact and near) as lists of paths, the
// copy to keep first; the photos themselves are never touched. Brings the duplicates signal up to
// date first (a library indexed by `index` alone may not have it yet).
import type { Command } from 'commander'
import { call, withEngine } from './call'

export function duplicatesCommand(program: Command): void {
  program
    .command('duplicates')
    .option('--json', 'print JSON (every group, with its photos)')
    .option('--similar', 'list the groups of similar photos (not copies) instead')
    .description('groups of duplicate photos as lists of paths, the copy to keep first (nothing is deleted or moved)')
    .action(async (opts: { json?: boolean; similar?: boolean }) => {
      await withEngine(
        program,
        async (engine) => {
          const stop = engine.follow('signals', (d) => {
            if (d.phase === 'computing' && d.total) process.stderr.write(`\r${d.message}   `)
          })
          await engine.signalsIdle()
          stop()
          process.stderr.write('\n')
          const res = await call(engine, 'duplicates', { kind: opts.similar ? 'similar' : 'duplicates' })
          if (opts.json) return console.log(JSON.stringify(res))
          console.log(`${res.groups.length} groups, ${opts.similar ? res.similarPhotos : res.duplicatePhotos} of ${res.photos} photos`)
          for (const g of res.groups) {
            const ranked = [...g.photos].sort((a, b) => Number(b.id === g.best) - Number(a.id === g.best))
            console.log(`\n# ${g.kind}, ${g.photos.length} photos (cosine ≥ ${g.score.toFixed(3)})`)
            for (const p of ranked) console.log(`${p.id === g.best ? 'keep ' : '     '}${p.path}`)
          }
        },
        true
      )
    })
}

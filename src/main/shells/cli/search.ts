// Search from the terminal: by a photo file, an indexed photo, or words.
import { readFileSync } from 'node:fs'
import type { Command } from 'commander'
import type { Input } from '../../../shared/api'
import { describeGuess } from '../../../shared/describe'
import { call, number, withEngine } from './call'

interface SearchOptions {
  image?: string
  similar?: number
  text?: string
  dims?: number
  dial?: number
  limit: number
  json?: boolean
  all?: boolean
}

function queryOf(opts: SearchOptions): Input<'search'>['query'] | null {
  if (opts.image) return { kind: 'image', data: readFileSync(opts.image).toString('base64') }
  if (opts.similar !== undefined) return { kind: 'photo', id: opts.similar }
  if (opts.text) return { kind: 'text', text: opts.text }
  return null
}

export function searchCommand(program: Command): void {
  program
    .command('search')
    .description('search by photo file, by an indexed photo id, or by words')
    .option('--image <file>', 'a photo file to search by')
    .option('--similar <id>', 'an indexed photo id', number)
    .option('--text <words>', "words, expanded with WordNet onto the model's classes")
    .option('--dims <n>', 'exact search on the first n dims', number)
    .option('--all', "show every result, also those below the model card's calibrated relevance cut-off")
    .option('--dial <x>', '0 (fastest) .. 1 (exact)', number)
    .option('-k, --limit <k>', 'results', number, 10)
    .option('--json', 'print JSON')
    .action(async (opts: SearchOptions) => {
      const query = queryOf(opts)
      if (!query) return program.error('give --image, --similar or --text')
      const req: Input<'search'> = { query, limit: opts.limit, relevance: opts.all ? 'all' : 'calibrated' }
      if (opts.dims !== undefined) req.config = { ds: opts.dims, k: 0, dr: opts.dims }
      else req.dial = opts.dial ?? 1
      await withEngine(program, async (engine) => {
        const res = await call(engine, 'search', req)
        if (opts.json) return console.log(JSON.stringify(res))
        if (res.matched) console.log(`matched: ${[...res.matched.via, ...res.matched.terms.map((t) => t.label)].join(', ')}`)
        for (const u of res.matched?.unknown ?? []) console.log(`the model cannot see “${u.term}”${u.nearest.length ? `; nearest it knows: ${u.nearest.join(', ')}` : ''}`)
        const s = res.stats
        console.log(`${s.exact ? `exact at ${s.dr} dims` : `shortlist ${s.k} at ${s.ds} dims → rerank at ${s.dr}`}; ${s.scanned} compared; ${s.ms.toFixed(2)} ms`)
        if (res.cutoff) console.log(`relevance cut-off ${res.cutoff.score.toFixed(4)} at ${res.cutoff.dims} dims: ${res.cutoff.hidden} below it not shown`)
        if (!res.hits.length) console.log('no photos match')
        for (const h of res.hits) console.log(`${h.score.toFixed(4)}  ${(h.guess ? describeGuess(h.guess) : h.label).padEnd(24)} ${h.path}${h.said ? `  says “${h.said}”` : ''}`)
      })
    })
}

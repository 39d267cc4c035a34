// `label`: give indexed photos (named one by one, or by a folder holding them) one of your labels.
import { resolve } from 'node:path'
import type { Command } from 'commander'
import type { Output } from '../../../shared/api'
import type { Engine } from '../../app/engine'
import { isInside } from '../../adapters/fs/paths'
import { call, withEngine } from './call'

const PAGE = 1000 // listPhotos' largest page

/** Every indexed photo, page by page through the API. */
async function allPhotos(engine: Engine): Promise<Output<'listPhotos'>['photos']> {
  const out: Output<'listPhotos'>['photos'] = []
  for (let offset = 0; ; offset += PAGE) {
    const page = await call(engine, 'listPhotos', { offset, limit: PAGE })
    out.push(...page.photos)
    if (offset + PAGE >= page.total) return out
  }
}

export function labelCommand(program: Command): void {
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
}

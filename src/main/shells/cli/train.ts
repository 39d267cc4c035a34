// Training from the terminal: an adaptor on the stored embeddings, or the whole model in PyTorch;
// and the adaptor versions (choose one, or roll back to none).
import type { Command } from 'commander'
import type { FineTune, Training } from '../../../shared/api'
import type { Engine } from '../../app/engine'
import { call, number, withEngine } from './call'
import { followSwitch } from './progress'

const pct = (xs: number[]) => xs.map((x) => (100 * x).toFixed(0).padStart(3)).join(' ')

/** Fine-tunes the whole model in PyTorch, imports it, and follows the re-embedding to its end. */
async function trainBackbone(engine: Engine, opts: { json?: boolean; epochs?: number }): Promise<void> {
  let said = ''
  let toldBefore = false
  const show = (t: FineTune) => {
    if (opts.json) return
    if (!toldBefore && t.before.length) console.log(`before fine-tuning: held-out accuracy per prefix (${t.nesting.join('/')}): ${pct(t.before)}`)
    toldBefore ||= t.before.length > 0
    const line = t.phase === 'training' && t.epoch > 0 ? `epoch ${t.epoch}/${t.epochs}  loss ${t.loss?.toFixed(3)}  held-out accuracy per prefix: ${pct(t.perPrefix)}` : t.message
    if (line && line !== said) console.log(line)
    said = line
  }
  const unfollow = engine.follow('finetune', show)
  const stop = () => void call(engine, 'cancelBackbone', {})
  process.once('SIGINT', stop)
  await call(engine, 'trainBackbone', opts.epochs === undefined ? {} : { epochs: opts.epochs })
  await engine.backboneIdle()
  process.off('SIGINT', stop)
  unfollow()
  const t = (await call(engine, 'backbone', {})).run
  if (opts.json) console.log(JSON.stringify(t))
  if (t.phase !== 'done') {
    if (!opts.json && t.phase === 'failed') console.error(`error: ${t.message}`)
    process.exitCode = 1
    return
  }
  await followSwitch(engine, Boolean(opts.json))
}

async function trainAdaptor(engine: Engine, opts: { unsupervised?: boolean; json?: boolean }): Promise<void> {
  const show = (t: Training) => {
    if (!opts.json && t.phase === 'training' && t.epoch > 0) console.log(`epoch ${t.epoch}/${t.epochs}  loss ${t.loss?.toFixed(3)}  ${t.metric} per prefix (${t.nesting.join('/')}): ${pct(t.perPrefix)}`)
    else if (!opts.json && t.message) console.log(t.message)
  }
  const unfollow = engine.follow('adaptor', show)
  const stop = () => void call(engine, 'cancelTraining', {})
  process.once('SIGINT', stop)
  await call(engine, 'train', { kind: opts.unsupervised ? 'unsupervised' : 'supervised' })
  await engine.trainingIdle()
  process.off('SIGINT', stop)
  unfollow()
  const t = await call(engine, 'training', {})
  if (opts.json) console.log(JSON.stringify(t))
  if (t.phase !== 'done') process.exitCode = 1
}

export function trainCommands(program: Command): void {
  program
    .command('train')
    .option('--unsupervised', 'no labels: make the prefixes of a non-Matryoshka model keep its full-embedding neighbours')
    .option('--backbone', 'fine-tune the whole model in PyTorch (needs Python with torch), import it and search with it')
    .option('--epochs <n>', 'with --backbone: at most this many epochs (early stopping on the held-out photos)', number)
    .option('--json', 'print the finished run as JSON')
    .description('fine-tune a Matryoshka adaptor on your labels (from the stored embeddings) and search with it')
    .action(async (opts: { unsupervised?: boolean; backbone?: boolean; epochs?: number; json?: boolean }) => {
      await withEngine(program, (engine) => (opts.backbone ? trainBackbone(engine, opts) : trainAdaptor(engine, opts)))
    })

  program
    .command('adaptors')
    .argument('[use]', 'a version number to search with, or "none" for the model\'s own embeddings (roll back)')
    .description('list the trained adaptor versions, or pick the one search uses')
    .action(async (use?: string) => {
      await withEngine(program, async (engine) => {
        const res = use === undefined ? await call(engine, 'adaptors', {}) : await call(engine, 'useAdaptor', { version: use === 'none' ? null : Number(use) })
        for (const v of res.versions) {
          console.log(`${v.version === res.active ? '*' : ' '} v${v.version}  ${v.kind}  ${v.createdAt}  ${v.photos} photos  ${v.metric}: ${v.perPrefix.map((x) => (100 * x).toFixed(0)).join('/')}`)
        }
        if (res.active === null) console.log("search uses the model's own embeddings")
      })
    })
}

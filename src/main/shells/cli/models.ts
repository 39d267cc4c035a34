// The image encoder from the terminal: list, import an ONNX model (checked, then switched to), use another.
import { resolve } from 'node:path'
import type { Command } from 'commander'
import type { ImportSettings, Models } from '../../../shared/api'
import { call, number, withEngine } from './call'
import { followSwitch } from './progress'

function printModels(res: Models): void {
  for (const m of res.models) {
    const speed = m.report.msPerPhoto ? `, ${m.report.msPerPhoto.toFixed(2)} ms/photo` : ''
    console.log(`${m.active ? '*' : ' '} ${m.id.slice(0, 12)}  ${m.name}  ${m.source}  ${m.dims} dims, ${m.matryoshka ? `nesting ${m.nesting.join('/')}` : 'not Matryoshka'}${speed}`)
  }
}

/** The phases of a running switch (jobs/reembedding.ts: set when it starts, until it ends). */
const SWITCHING = new Set<Models['switch']['phase']>(['embedding', 'finishing', 'adapting'])

interface ImportOptions {
  card?: string
  size?: number
  mean?: string
  std?: string
  bgr?: boolean
  nhwc?: boolean
  input?: string
  output?: string
  name?: string
  use: boolean
  json?: boolean
}

export function modelCommands(program: Command): void {
  const model = program.command('model').description('the image encoder: list, import an ONNX model, switch')

  model
    .command('list')
    .option('--json', 'print JSON')
    .description('the bundled and imported models; * marks the one search uses')
    .action(async (opts: { json?: boolean }) => {
      await withEngine(program, async (engine) => {
        const res = await call(engine, 'models', {})
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
    .action(async (onnx: string, opts: ImportOptions) => {
      const triple = (v: string | undefined, what: string): number[] => {
        const xs = (v ?? '').split(',').map(Number)
        if (xs.length !== 3 || !xs.every(Number.isFinite)) program.error(`--${what} takes three numbers, r,g,b`)
        return xs
      }
      const settings = (): ImportSettings => ({
        name: opts.name,
        size: opts.size ?? program.error('give --card, or --size, --mean, --std and --output'),
        mean: triple(opts.mean, 'mean'),
        std: triple(opts.std, 'std'),
        channels: opts.bgr ? 'BGR' : 'RGB',
        layout: opts.nhwc ? 'NHWC' : 'NCHW',
        inputName: opts.input,
        output: opts.output ?? program.error("give --output, the embedding output's name")
      })
      const source = opts.card ? { cardPath: resolve(opts.card) } : { settings: settings() }
      await withEngine(program, async (engine) => {
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
      await withEngine(program, async (engine) => {
        const before = await call(engine, 'models', {})
        // a switch resumed at start-up (after a crash) is followed, not started again
        if (SWITCHING.has(before.switch.phase)) {
          if (!opts.json) console.log(`resuming the switch to ${before.switch.to}`)
        } else {
          if (before.switch.phase !== 'idle') await engine.modelSwitchIdle() // a resumed one that just ended
          await call(engine, 'useModel', { id: key })
        }
        await followSwitch(engine, Boolean(opts.json))
      }, true)
    })
}

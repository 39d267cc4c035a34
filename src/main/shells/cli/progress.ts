// Long work followed on the terminal, from the engine's one job event stream ('job', src/shared/events.ts).
import cliProgress from 'cli-progress'
import type { Engine } from '../../app/engine'
import { call } from './call'

/** The indexing progress bar; returns its stop. */
export function progressBar(engine: Engine, quiet: boolean): () => void {
  if (quiet) return () => {}
  const bar = new cliProgress.SingleBar(
    { format: '{phase} |{bar}| {value}/{total} photos | {rate}/s | ETA {eta_formatted} | {skipped} skipped', hideCursor: true },
    cliProgress.Presets.shades_classic
  )
  let started = false
  const unfollow = engine.follow('indexing', (p) => {
    if (p.phase === 'indexing' && p.total > 0) {
      if (!started) bar.start(p.total, 0, { phase: 'indexing', rate: '0', skipped: 0 })
      started = true
      bar.update(p.done, { phase: p.phase, rate: p.perSecond.toFixed(1), skipped: p.skipped })
    } else if (p.phase === 'calibrating' && started) bar.update({ phase: 'measuring dial' })
  })
  return () => {
    unfollow()
    if (started) bar.stop()
  }
}

/** Follows a model switch to its end, printing its progress; exit code 1 if it failed. */
export async function followSwitch(engine: Engine, json: boolean): Promise<void> {
  let last = ''
  const unfollow = engine.follow('reembedding', (s) => {
    const line = s.phase === 'embedding' ? `embedding ${s.done}/${s.total} (${s.perSecond.toFixed(1)}/s)` : `${s.phase}: ${s.message}`
    if (!json && line !== last && (s.phase !== 'embedding' || s.done === s.total || s.done % 320 < 32)) console.log(line)
    last = line
  })
  const stop = () => void call(engine, 'cancelModelSwitch', {})
  process.once('SIGINT', stop)
  await engine.modelSwitchIdle()
  process.off('SIGINT', stop)
  unfollow()
  const res = await call(engine, 'models', {})
  if (json) console.log(JSON.stringify(res))
  if (res.switch.phase === 'failed') {
    console.error(`error: ${res.switch.message}`)
    process.exitCode = 1
  }
}

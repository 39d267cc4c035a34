// Long work followed on the terminal, from the engine's one job event stream ('job', src/shared/events.ts).
import type { Progress } from '../../../shared/api'
import type { Engine } from '../../app/engine'
import { call } from './call'

const BAR = 24

/** Seconds in words: "45 s", "3 min 20 s", "1 h 5 min"; null (no rate yet): "estimating". */
export function etaText(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return 'estimating time left'
  const s = Math.round(seconds)
  if (s < 60) return `about ${s} s left`
  if (s < 3600) return `about ${Math.floor(s / 60)} min ${s % 60} s left`
  return `about ${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min left`
}

/** One line of the indexing progress: phase, bar, counts, rate, time left, skipped files. */
export function progressLine(p: Progress): string {
  const phase = p.phase === 'calibrating' ? 'measuring the dial' : p.phase
  if (p.total <= 0) return `${phase}…`
  const filled = Math.round((Math.min(p.done, p.total) / p.total) * BAR)
  const parts = [`${phase} ${'█'.repeat(filled)}${'░'.repeat(BAR - filled)} ${p.done}/${p.total} photos`]
  if (p.phase === 'indexing') parts.push(p.perSecond > 0 ? `${p.perSecond.toFixed(1)}/s` : 'starting', p.done >= p.total ? 'finishing' : etaText(p.perSecond > 0 ? p.etaSeconds : null))
  if (p.skipped) parts.push(`${p.skipped} skipped`)
  return parts.join(' · ')
}

/**
 * The indexing progress on one line, redrawn in place on a terminal (a line per phase otherwise);
 * returns its stop, which leaves the last line whole and ends it with a newline.
 */
export function progressBar(engine: Engine, quiet: boolean, out: NodeJS.WriteStream = process.stderr): () => void {
  if (quiet) return () => {}
  const tty = Boolean(out.isTTY)
  let last = ''
  let lastPhase = ''
  const unfollow = engine.follow('indexing', (p) => {
    if (p.phase !== 'scanning' && p.phase !== 'indexing' && p.phase !== 'calibrating') return
    const line = progressLine(p)
    if (line === last) return
    if (tty) out.write(`\r${line}\x1b[K`)
    else if (p.phase !== lastPhase) out.write(`${line}\n`)
    last = line
    lastPhase = p.phase
  })
  return () => {
    unfollow()
    if (tty && last) out.write('\n')
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

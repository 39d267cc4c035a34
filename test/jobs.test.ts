// The one job runner: every exclusion rule refuses what it should and only that, a job started as
// another's step is exempt, and every change reaches the one event stream.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { JobEvent, JobKind } from '../src/shared/events.ts'
import { UserError } from '../src/shared/errors.ts'
import { JobBoard } from '../src/main/jobs/job.ts'
import { EXCLUSIONS } from '../src/main/jobs/rules.ts'
import { indexingSpec } from '../src/main/jobs/indexing.ts'
import { reembeddingSpec } from '../src/main/jobs/reembedding.ts'
import { adaptorSpec } from '../src/main/jobs/adaptorTraining.ts'
import { finetuneSpec } from '../src/main/jobs/fineTuning.ts'
import { signalsSpec } from '../src/main/jobs/signals.ts'

const KINDS: JobKind[] = ['indexing', 'reembedding', 'adaptor', 'finetune', 'signals']

function board() {
  const b = new JobBoard()
  const jobs = { indexing: b.add(indexingSpec), reembedding: b.add(reembeddingSpec), adaptor: b.add(adaptorSpec(() => [8, 16])), finetune: b.add(finetuneSpec([8, 16])), signals: b.add(signalsSpec) }
  const gates: (() => void)[] = []
  /** starts `kind` with a body that runs until `release()` */
  const hold = (kind: JobKind, by?: JobKind) => jobs[kind].start({}, () => new Promise<void>((r) => gates.push(r)), () => ({}), by)
  const release = async () => {
    await new Promise((r) => setImmediate(r)) // the bodies start on the next tick
    for (const g of gates.splice(0)) g()
    await Promise.all(KINDS.map((k) => jobs[k].idle()))
  }
  return { b, jobs, hold, release }
}

for (const running of KINDS) {
  for (const starting of KINDS) {
    const why = EXCLUSIONS[starting][running]
    const name = why ? `${starting} is refused (409) while ${running} runs: “${why}”` : starting === running ? `a second ${starting} run is refused while one runs` : `${starting} may start while ${running} runs`
    test(name, async () => {
      const { hold, release } = board()
      hold(running)
      try {
        if (why || starting === running) {
          assert.throws(() => hold(starting), (err: unknown) => err instanceof UserError && err.status === 409 && (!why || err.message === why))
        } else assert.doesNotThrow(() => hold(starting))
      } finally {
        await release()
      }
    })
  }
}

test('a job started as a step of the one running (the switch’s adaptor, the fine-tune’s switch) is not refused by it', async () => {
  const { hold, release } = board()
  hold('reembedding')
  assert.doesNotThrow(() => hold('adaptor', 'reembedding'))
  await release()
  hold('finetune')
  assert.doesNotThrow(() => hold('reembedding', 'finetune'))
  await release()
})

test('every start, change and end reaches the one event stream with the common status and the detail', async () => {
  const { b, jobs, release } = board()
  const seen: JobEvent[] = []
  b.on('job', (e) => seen.push(e))
  jobs.adaptor.start({ phase: 'preparing', message: 'reading' }, async () => jobs.adaptor.set({ phase: 'training', epoch: 1, epochs: 3 }), () => ({}))
  await release()
  assert.deepEqual(seen.map((e) => [e.kind, e.status.state, e.status.phase]), [['adaptor', 'running', 'preparing'], ['adaptor', 'running', 'training'], ['adaptor', 'done', 'training']])
  assert.equal(seen[1].status.done, 1)
  assert.equal(seen[1].status.total, 3)
  assert.deepEqual(b.snapshot().map((e) => e.kind), KINDS)
})

test('a run that throws ends failed with its reason, and the job can start again', async () => {
  const { jobs } = board()
  jobs.finetune.start({ phase: 'training' }, async () => { throw new Error('no GPU') }, (err) => ({ phase: 'failed', message: (err as Error).message }))
  await jobs.finetune.idle()
  assert.equal(jobs.finetune.event().status.state, 'failed')
  assert.equal(jobs.finetune.current().message, 'no GPU')
  assert.doesNotThrow(() => jobs.finetune.start({}, async () => {}, () => ({})))
  await jobs.finetune.idle()
})

test('stop reaches the run’s stop hooks, and a hook hung after the stop runs at once', async () => {
  const { jobs } = board()
  let killed = 0
  jobs.signals.start({}, (ctl) => new Promise<void>((resolve) => ctl.onStop(() => (killed++, resolve()))), () => ({}))
  jobs.signals.stop()
  await jobs.signals.idle()
  assert.equal(killed, 1)
  jobs.signals.start({}, async (ctl) => {
    jobs.signals.stop()
    ctl.onStop(() => killed++)
  }, () => ({}))
  await jobs.signals.idle()
  assert.equal(killed, 2)
})

test('a model switch or a fine-tune is refused while an adaptor is being applied, not only while it trains', async () => {
  const { jobs, hold, release } = board()
  hold('adaptor')
  jobs.adaptor.set({ phase: 'applying' })
  for (const kind of ['reembedding', 'finetune'] as const) assert.throws(() => hold(kind), (err: unknown) => err instanceof UserError && err.status === 409)
  await release()
  assert.doesNotThrow(() => hold('reembedding'))
  await release()
})

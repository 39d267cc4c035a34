// One job runner for every long-running piece of work (indexing, re-embedding, adaptor training,
// fine-tuning, signals): one run at a time, its status pushed as one typed event (src/shared/events.ts),
// cancel, idle, and the exclusion rules (rules.ts) checked at every start.
import { EventEmitter } from 'node:events'
import type { JobDetail, JobEvent, JobKind, JobState, JobStatus } from '../../shared/events'
import { UserError } from '../../shared/errors'
import { refusal } from './rules'

/** The fields of the common status a job reads off its own detail. */
export type Summary = Omit<JobStatus, 'kind' | 'state'>

/** What a run's body sees: whether it was asked to stop, and a place to hang the stop (kill a child, cancel a worker). */
export interface RunControl {
  readonly stopping: boolean
  onStop(fn: () => void): void
}

interface JobSpec<K extends JobKind, D> {
  kind: K
  idle: () => D
  summary: (d: D) => Summary
  /** the detail's terminal state (done, failed, cancelled), read from it after a run */
  ended: (d: D) => JobState
}

/** Every job of the engine, and its one event stream: 'job' with a JobEvent. */
export class JobBoard extends EventEmitter<{ job: [JobEvent] }> {
  private readonly jobs = new Map<JobKind, { readonly kind: JobKind; readonly busy: boolean; event(): JobEvent }>()

  add<K extends JobKind>(spec: JobSpec<K, JobDetail<K>>): Job<K, JobDetail<K>> {
    const job = new Job(spec, this)
    this.jobs.set(spec.kind, job)
    return job
  }

  running(): JobKind[] {
    return [...this.jobs.values()].filter((j) => j.busy).map((j) => j.kind)
  }

  /** Throws the rule's refusal (409) when `kind` may not start now. */
  admit(kind: JobKind, by?: JobKind): void {
    const why = refusal(kind, this.running(), by)
    if (why) throw new UserError(why, 409)
  }

  /** The latest event of each job, for a subscriber that joins late. */
  snapshot(): JobEvent[] {
    return [...this.jobs.values()].map((j) => j.event())
  }

  publish(e: JobEvent): void {
    this.emit('job', e)
  }
}

export class Job<K extends JobKind, D extends object> {
  private detail: D
  private run: Promise<void> | null = null
  private stopHooks: (() => void)[] = []
  private stopRequested = false

  constructor(
    private readonly spec: JobSpec<K, D>,
    private readonly board: JobBoard
  ) {
    this.detail = spec.idle()
  }

  get kind(): K {
    return this.spec.kind
  }

  get busy(): boolean {
    return this.run !== null
  }

  get stopping(): boolean {
    return this.stopRequested
  }

  current(): D {
    return this.detail
  }

  event(): JobEvent {
    const state: JobState = this.run ? 'running' : this.spec.ended(this.detail)
    return { kind: this.spec.kind, status: { kind: this.spec.kind, state, ...this.spec.summary(this.detail) }, detail: this.detail } as JobEvent
  }

  /** Merges `next` into the detail and pushes the event. */
  set(next: Partial<D>): void {
    this.detail = { ...this.detail, ...next }
    this.board.publish(this.event())
  }

  /** Throws (409) when this job may not start now: the exclusion rules, or a run of its own. */
  admit(by?: JobKind): void {
    this.board.admit(this.spec.kind, by)
    if (this.run) throw new UserError(`the ${this.spec.kind} job is already running`, 409)
  }

  /** Starts `body` in the background after the exclusion rules admit it (`by`: the job starting it). */
  start(first: Partial<D>, body: (ctl: RunControl) => Promise<void>, fail: (err: unknown, ctl: RunControl) => Partial<D>, by?: JobKind): void {
    this.admit(by)
    this.stopRequested = false
    this.stopHooks = []
    const job = this
    const ctl: RunControl = {
      get stopping() {
        return job.stopRequested
      },
      onStop: (fn) => {
        if (this.stopRequested) fn()
        else this.stopHooks.push(fn)
      }
    }
    this.detail = { ...this.spec.idle(), ...first }
    this.run = Promise.resolve()
      .then(() => body(ctl))
      .catch((err) => {
        this.detail = { ...this.detail, ...fail(err, ctl) }
      })
      .finally(() => {
        this.run = null
        this.board.publish(this.event())
      })
    this.board.publish(this.event())
  }

  /** Asks the run to stop at its next safe point (what it committed stays). */
  stop(): void {
    if (!this.run) return
    this.stopRequested = true
    for (const fn of this.stopHooks.splice(0)) fn()
  }

  /** Resolves when the current run (if any) has ended. */
  idle(): Promise<void> {
    return this.run ?? Promise.resolve()
  }
}

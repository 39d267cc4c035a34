// The one push channel from the main process to the renderer (SSE in browser mode, IPC in
// Electron): every long-running job reports one typed status here. The renderer subscribes once
// (src/renderer/src/lib/client.ts) and polls nothing.
import { z } from 'zod'
import { FineTune, ModelSwitchStatus, Progress, Training } from './api'

/** The jobs of src/main/jobs; `signal:<name>` jobs compute a per-photo signal after the embedding. */
export const JobKind = z.enum(['indexing', 'reembedding', 'adaptor', 'finetune', 'signals'])
export type JobKind = z.infer<typeof JobKind>

export const JobState = z.enum(['idle', 'running', 'done', 'failed', 'cancelled'])
export type JobState = z.infer<typeof JobState>

/** What every job reports, whatever it does: the UI's progress bars and the CLI read only this. */
export const JobStatus = z.object({
  kind: JobKind,
  state: JobState,
  /** the job's own step (scanning, embedding, training, exporting, ...) */
  phase: z.string(),
  done: z.number(),
  total: z.number(),
  perSecond: z.number(),
  etaSeconds: z.number().nullable(),
  message: z.string()
})
export type JobStatus = z.infer<typeof JobStatus>

/** A per-photo signal's run (dominant colours, ...): photos brought up to date with its version. */
export const SignalProgress = z.object({
  phase: z.enum(['idle', 'computing', 'done', 'failed', 'cancelled']),
  signal: z.string().nullable(),
  done: z.number(),
  total: z.number(),
  message: z.string()
})
export type SignalProgress = z.infer<typeof SignalProgress>

/** One job's status with its detail, in the shape its API call answers (status().progress, training(), ...). */
export const JobEvent = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('indexing'), status: JobStatus, detail: Progress }),
  z.object({ kind: z.literal('reembedding'), status: JobStatus, detail: ModelSwitchStatus }),
  z.object({ kind: z.literal('adaptor'), status: JobStatus, detail: Training }),
  z.object({ kind: z.literal('finetune'), status: JobStatus, detail: FineTune }),
  z.object({ kind: z.literal('signals'), status: JobStatus, detail: SignalProgress })
])
export type JobEvent = z.infer<typeof JobEvent>
export type JobDetail<K extends JobKind> = Extract<JobEvent, { kind: K }>['detail']

/** The push map: event name → payload. SSE event names and IPC channels are these keys. */
export interface Events {
  job: JobEvent
}
export type EventName = keyof Events

// The renderer's only door into the main process: one `call` over the typed API and one job-event
// subscription (src/shared/events.ts). Inputs are validated again in the main process.
import { contextBridge, ipcRenderer } from 'electron'
import type { Method, Input, Output } from '../shared/api'
import type { EventName, JobEvent } from '../shared/events'

const JOB: EventName = 'job'

const bridge = {
  call: <M extends Method>(method: M, input: Input<M>): Promise<Output<M>> => ipcRenderer.invoke('api', method, input),
  onJob: (listener: (e: JobEvent) => void): (() => void) => {
    const handler = (_e: unknown, e: JobEvent) => listener(e)
    ipcRenderer.on(JOB, handler)
    return () => ipcRenderer.removeListener(JOB, handler)
  },
  // the app's own origin (shells/security.ts APP_ORIGIN), which serves the media like browser mode does
  mediaUrl: (kind: 'thumb' | 'photo', id: number) => `app://mrl/media/${kind}/${id}`,
  /** the system's folder picker; null when cancelled */
  pickFolder: (): Promise<string | null> => ipcRenderer.invoke('pick-folder')
}

contextBridge.exposeInMainWorld('mrl', bridge)
export type Bridge = typeof bridge

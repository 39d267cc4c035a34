// The renderer's only door into the main process: one `call` over the typed API and a progress
// subscription. Inputs are validated again in the main process.
import { contextBridge, ipcRenderer } from 'electron'
import type { Method, Input, Output, Progress } from '../shared/api'

const bridge = {
  call: <M extends Method>(method: M, input: Input<M>): Promise<Output<M>> => ipcRenderer.invoke('api', method, input),
  onProgress: (listener: (p: Progress) => void): (() => void) => {
    const handler = (_e: unknown, p: Progress) => listener(p)
    ipcRenderer.on('progress', handler)
    return () => ipcRenderer.removeListener('progress', handler)
  },
  mediaUrl: (kind: 'thumb' | 'photo', id: number) => `mrl-media://${kind}/${id}`
}

contextBridge.exposeInMainWorld('mrl', bridge)
export type Bridge = typeof bridge

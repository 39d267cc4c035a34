// Engine set-up shared by the engine-level tests (kept apart from fixtures.ts, which the e2e
// runner imports and which should not load the engine's native modules).
import { Engine } from '../src/main/app/engine.ts'

/** A fresh engine on `data` that has indexed the folder `lib`. */
export async function openIndexed(lib: string, data: string): Promise<Engine> {
  const engine = await Engine.open({ dataDir: data })
  await engine.addFolder({ path: lib })
  await engine.idle()
  return engine
}

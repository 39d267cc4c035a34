#!/usr/bin/env node
// The CLI: the same engine as the app, one file per command (or small group), every call through the API.
import { Command } from 'commander'
import { defaultDataDir } from '../../app/config'
import { indexCommand } from './index'
import { searchCommand } from './search'
import { serveCommand } from './serve'
import { labelCommand } from './label'
import { trainCommands } from './train'
import { modelCommands } from './models'
import { statusCommand } from './status'
import { benchCommand } from './bench'
import { duplicatesCommand } from './duplicates'
import { keepNewFilesPrivate } from '../../adapters/fs/dataLayout'

keepNewFilesPrivate() // the data folder's files (index, thumbnails, models): this user's only

const program = new Command('mrl-photos').description('Private, offline photo search with Matryoshka embeddings')
// the Electron shell opens the same default (MRL_PHOTOS_DATA, else the XDG data folder)
program.option('--data <dir>', 'data folder (index, thumbnails; the app uses the same one by default)', defaultDataDir())

// in the order `--help` lists them
indexCommand(program)
searchCommand(program)
serveCommand(program)
labelCommand(program)
trainCommands(program) // train, adaptors
modelCommands(program) // model list | import | use
statusCommand(program)
duplicatesCommand(program)
benchCommand(program)

program.parseAsync().catch((err: Error) => {
  console.error(`error: ${err.message ?? err}`)
  process.exit(1)
})

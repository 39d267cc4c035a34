#!/usr/bin/env node
// The CLI: the same engine as the app, one file per group of commands, every call through the API.
import { Command } from 'commander'
import { defaultDataDir } from '../../app/config'
import { libraryCommands } from './library'
import { searchCommand } from './search'
import { trainCommands } from './train'
import { modelCommands } from './models'
import { benchCommand } from './bench'

const program = new Command('mrl-photos').description('Private, offline photo search with Matryoshka embeddings')
program.option('--data <dir>', 'data folder (index, thumbnails; the app uses the same one by default)', defaultDataDir())

libraryCommands(program)
searchCommand(program)
trainCommands(program)
modelCommands(program)
benchCommand(program)

program.parseAsync().catch((err: Error) => {
  console.error(`error: ${err.message ?? err}`)
  process.exit(1)
})

// `npm run bench`: benchmarks print numbers; they are not tests.
//   npm run bench                 indexing of the 10,000 CIFAR test JPEGs
//   npm run bench -- --train      also the 50,000 train JPEGs
import { benchIndexing } from './indexing'

const args = new Set(process.argv.slice(2))
const results = [benchIndexing('test')]
if (args.has('--train')) results.push(benchIndexing('train'))
console.log(JSON.stringify(results, null, 1))

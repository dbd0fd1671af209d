/**
 * `npm run bench`: side-by-side benchmarks against the peers named in the issues. Each benchmark
 * is a module in this folder that prints its own table; this harness runs them in order.
 *
 * The emulator is the only network target: benchmarks never reach the internet.
 */
import { emulatorThroughput } from './emulator-throughput.js';
import { mediaUpload } from './media-upload.js';
import { serviceBench } from './service.js';
import { textCounting } from './text-counting.js';

interface Benchmark {
  name: string;
  run: () => Promise<void>;
}

const benchmarks: Benchmark[] = [
  { name: 'weighted character counting', run: textCounting },
  { name: 'emulator request throughput', run: emulatorThroughput },
  { name: 'media upload', run: mediaUpload },
  { name: 'posting service', run: serviceBench },
];

const only = process.argv[2];
for (const bench of benchmarks) {
  if (only && !bench.name.includes(only)) continue;
  process.stdout.write(`\n## ${bench.name}\n`);
  await bench.run();
}

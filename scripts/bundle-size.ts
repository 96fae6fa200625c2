/**
 * `npm run size`: bundles every function exactly as the CDK app does (lib/bundling.ts: esbuild, ESM,
 * minified, the AWS SDK bundled) and prints each bundle's size. Size is a hint, not the budget: what counts
 * is init time, which `npm run bench` measures (import and load over an empty handler's).
 * `--why <handler>` lists the largest inputs of one bundle.
 */
import { build } from 'esbuild';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { esbuildOptions } from '../lib/bundling';

const HANDLERS_DIR = join(__dirname, '..', 'lambdas', 'handlers');

export async function bundleSize(handler: string) {
  const result = await build({ ...esbuildOptions(join(HANDLERS_DIR, `${handler}.ts`)), write: false, metafile: true });
  return { bytes: result.outputFiles[0]!.contents.length, code: result.outputFiles[0]!.text, metafile: result.metafile };
}

export const handlers = () => readdirSync(HANDLERS_DIR).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3)).sort();

async function main() {
  const why = process.argv.indexOf('--why');
  if (why > 0) {
    const { metafile } = await bundleSize(process.argv[why + 1]!);
    const inputs = Object.entries(Object.values(metafile.outputs)[0]!.inputs).sort((a, b) => b[1].bytesInOutput - a[1].bytesInOutput).slice(0, 25);
    for (const [path, info] of inputs) console.log(`${(info.bytesInOutput / 1024).toFixed(1).padStart(8)} KB  ${path}`);
    return;
  }
  console.log('function                      bundle (minified)');
  for (const handler of handlers()) {
    const { bytes } = await bundleSize(handler);
    console.log(`${handler.padEnd(30)}${(bytes / 1024).toFixed(1).padStart(8)} KB`);
  }
}

if (require.main === module) main();

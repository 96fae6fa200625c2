/** Every function's bundle, built as the CDK app builds it, stays within the 150 KB budget. */
import { BUDGET_BYTES, bundleSize, handlers } from '../../scripts/bundle-size';

it.each(handlers())('%s bundles to at most 150 KB minified', async (handler) => {
  const { bytes } = await bundleSize(handler);
  expect(bytes).toBeLessThanOrEqual(BUDGET_BYTES);
});

/** `npm start`: runs in this very process (node --import tsx), so Ctrl-C reaches our handler directly. */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import('./start').then(({ main }) => main()).catch((err: Error) => {
  console.error(`Concord could not start: ${err.message}`);
  process.exit(1);
});

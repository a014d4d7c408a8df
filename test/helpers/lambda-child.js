// A Lambda container for tests: a node process that loads handler bundles and invokes them on request (IPC).
// Started by lambda-container.ts; one process = one container (its module state kept between invocations).
const loaded = new Map();
process.on('message', async (msg) => {
  const { id, file, exportName, event } = msg;
  try {
    let mod = loaded.get(file);
    if (mod === undefined) {
      mod = require(file);
      loaded.set(file, mod);
    }
    const result = await mod[exportName](event, { awsRequestId: `req-${id}`, functionName: 'test' });
    process.send({ id, ok: true, result: result === undefined ? null : result });
  } catch (err) {
    process.send({ id, ok: false, error: String(err?.message || err) });
  }
});
process.on('disconnect', () => process.exit(0));

// Runs a stock Node Unleash SDK against a T-Minus server and prints what it saw, as one JSON
// line, for tests/flags/test_node_sdks.py.
//   node sdk_check.js backend  URL TOKEN [namePrefix] [type:value,...]
//   node sdk_check.js frontend URL TOKEN userId
const os = require('node:os');
const path = require('node:path');
const fs = require('node:fs');

const [mode, base, token, ...rest] = process.argv.slice(2);

async function backend([namePrefix, tags]) {
  const { startUnleash } = require('unleash-client');
  const backupPath = fs.mkdtempSync(path.join(os.tmpdir(), 'tminus-node-sdk-'));
  const unleash = await startUnleash({
    url: `${base}/api/`,
    appName: 'node-sdk-check',
    customHeaders: { Authorization: token },
    namePrefix: namePrefix || undefined,
    tags: tags ? tags.split(',').map((tag) => {
      const [name, value] = tag.split(':');
      return { name, value };
    }) : undefined,
    disableMetrics: true,
    refreshInterval: 60000,
    skipInstanceCountWarning: true,
    backupPath,
  });
  const names = unleash.getFeatureToggleDefinitions().map((flag) => flag.name).sort();
  const enabled = Object.fromEntries(names.map((name) => [name, unleash.isEnabled(name)]));
  unleash.destroy();
  return { names, enabled };
}

async function frontend([userId]) {
  const { UnleashClient } = require('unleash-proxy-client');
  const statuses = [];
  const recordingFetch = async (url, init) => {
    const response = await fetch(url, init);
    statuses.push(response.status);
    return response;
  };
  const client = new UnleashClient({
    url: `${base}/api/frontend`,
    clientKey: token,
    appName: 'node-browser-check',
    disableMetrics: true,
    refreshInterval: 3600,
    fetch: recordingFetch,
    context: { userId },
  });
  const ready = new Promise((resolve) => client.on('ready', resolve));
  await client.start();
  await ready;
  // The same context again: the SDK sends the ETag it got, the server answers 304.
  await client.updateContext({ userId });
  const toggles = client.getAllToggles().map((toggle) => ({
    name: toggle.name, enabled: toggle.enabled, variant: toggle.variant.name,
  }));
  client.stop();
  return { toggles, statuses };
}

const run = { backend, frontend }[mode];
run(rest).then((seen) => {
  process.stdout.write(`${JSON.stringify(seen)}\n`);
  process.exit(0);
}, (error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});

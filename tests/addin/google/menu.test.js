'use strict';
// The Stockout menu: what the user sees when they click its items (toasts, cells, dialogs).
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const {
  GOOGLE_DIR,
  FakeSpreadsheet,
  loadGas,
  plain,
  formatDate,
  parseDate,
} = require('./gas_context');

const todayIn = (zone) => formatDate(new Date(), zone, 'yyyy-MM-dd');

const CONFIGURED = {
  STOCKOUT_SERVER_URL: 'https://stockout.example.com/',
  STOCKOUT_SERVER_TOKEN: 'secret-token-1234567890',
};

/** A UrlFetchApp.fetch stand-in answering STATUS/BODY and recording each request. */
function answering(status, body) {
  const requests = [];
  const fetch = (url, options) => {
    requests.push({url, options});
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    return {getResponseCode: () => status, getContentText: () => text};
  };
  return {fetch, requests};
}

function refreshWith(status, body) {
  const server = answering(status, body);
  const {gas, spreadsheet} = loadGas({fetch: server.fetch, props: CONFIGURED});
  const message = gas.stockoutRefreshNow();
  return {message, server, spreadsheet};
}

function menuOf(props) {
  const {gas, ui} = loadGas({props});
  gas.onOpen();
  assert.equal(ui.menus.length, 1);
  const [menu] = ui.menus;
  assert.equal(menu.title, 'Stockout');
  assert.ok(menu.added);
  const items = menu.items.filter((item) => !item.separator);
  for (const item of items) {
    assert.equal(typeof gas[item.functionName], 'function', item.functionName);
    assert.ok(!item.functionName.endsWith('_'), 'private functions cannot be menu items');
  }
  return items.map((item) => item.caption);
}

test('onOpen: the in-sheet items first; no server items until a server is set', () => {
  assert.deepEqual(menuOf({}), [
    'Refresh in this sheet',
    'Update as-of date to today',
    'Add Planner tab (live formulas)',
    'Install daily refresh and e-mail alerts',
    'Remove daily refresh',
    'Connect a server (optional)…',
  ]);
  // A URL without a token is not a working server yet.
  assert.deepEqual(menuOf({STOCKOUT_SERVER_URL: 'https://x.example.com'}).slice(-1), [
    'Connect a server (optional)…',
  ]);
  assert.deepEqual(menuOf(CONFIGURED).slice(-2), ['Refresh on the server', 'Server settings…']);
});

test('Refresh now POSTs this spreadsheet to the server with the bearer token', () => {
  const {server} = refreshWith(200, {skus: 0, alerts: {}});
  assert.equal(server.requests.length, 1);
  const [{url, options}] = server.requests;
  assert.equal(url, 'https://stockout.example.com/refresh');
  assert.equal(options.method, 'post');
  assert.equal(options.contentType, 'application/json');
  assert.deepEqual(JSON.parse(options.payload), {spreadsheet: 'sheet-id-123'});
  assert.equal(options.headers.Authorization, 'Bearer secret-token-1234567890');
  assert.equal(options.muteHttpExceptions, true);
  assert.equal(options.followRedirects, false);
});

test('Refresh now toasts the summary: counts worst first, problems, urgent SKUs', () => {
  const summary = {
    target: 'gsheet:sheet-id-123',
    skus: 40,
    alerts: {OK: 30, WATCH: 0, CRITICAL: 2, OUT: 1, WARNING: 7},
    problems: 3,
    urgent: [
      {sku: 'MUG-01', alert: 'OUT', action: 'SWITCH TO FBM · also PAUSE AND NOTIFY: 9 days out'},
      {sku: 'MUG-02', alert: 'CRITICAL', action: 'EXPEDITE BY AIR'},
      {sku: 'MUG-03', alert: 'CRITICAL'},
      {sku: 'MUG-04', alert: 'WARNING', action: 'REORDER NOW'},
    ],
  };
  const {message, spreadsheet} = refreshWith(200, summary);
  assert.equal(
    message,
    'Refreshed 40 SKUs: 1 OUT, 2 CRITICAL, 7 WARNING, 30 OK. 3 problems (see the Problems tab).' +
      ' Urgent: MUG-01 OUT: SWITCH TO FBM; MUG-02 CRITICAL: EXPEDITE BY AIR; MUG-03 CRITICAL.',
  );
  assert.deepEqual(
    spreadsheet.toasts.map((t) => t.message),
    ['Refreshing… this can take a minute.', message],
  );
  assert.equal(spreadsheet.toasts[1].title, 'Stockout');
});

test('a summary with one SKU and no problems reads naturally', () => {
  const {message} = refreshWith(200, {skus: 1, alerts: {OK: 1}, problems: 0, urgent: []});
  assert.equal(message, 'Refreshed 1 SKU: 1 OK.');
});

for (const [status, body, expected] of [
  [
    202,
    {status: 'running', message: 'the refresh takes longer than the button can wait'},
    'Still refreshing: the refresh takes longer than the button can wait.',
  ],
  [
    409,
    {error: 'a refresh of this sheet is already running'},
    'Not refreshed: a refresh of this sheet is already running. Try again when it has finished.',
  ],
  [
    401,
    {error: 'missing or wrong token'},
    'Refresh refused: missing or wrong token. Check the token in Stockout > Server settings…',
  ],
  [
    422,
    {error: 'share the sheet with bot@x.iam.gserviceaccount.com'},
    'Refresh failed: share the sheet with bot@x.iam.gserviceaccount.com',
  ],
  [502, '<html>Bad Gateway</html>', 'Refresh failed: the server answered HTTP 502'],
  [301, '', 'Refresh failed: the server redirected the request; use its https:// address.'],
]) {
  test(`Refresh now explains an HTTP ${status} answer`, () => {
    const {message, spreadsheet} = refreshWith(status, body);
    assert.equal(message, expected);
    assert.equal(spreadsheet.toasts.at(-1).message, expected);
  });
}

test('Refresh now says when Google cannot reach the server', () => {
  const fetch = () => {
    throw new Error('DNS error: stockout.example.com');
  };
  const {gas} = loadGas({fetch, props: CONFIGURED});
  assert.equal(
    gas.stockoutRefreshNow(),
    'Could not reach the stockout server at https://stockout.example.com: DNS error: stockout.example.com',
  );
});

test('Refresh now without settings points to the settings dialog and calls nothing', () => {
  const server = answering(200, {});
  const {gas, spreadsheet} = loadGas({fetch: server.fetch});
  assert.equal(
    gas.stockoutRefreshNow(),
    'Connect a server first (Stockout > Connect a server…), or use Stockout > Refresh in this sheet.',
  );
  assert.equal(server.requests.length, 0);
  assert.equal(spreadsheet.toasts.length, 1);
});

test('Update as-of writes today (in the sheet time zone) into the as_of row', () => {
  const spreadsheet = new FakeSpreadsheet({
    timeZone: 'Pacific/Kiritimati', // UTC+14: "today" there is often tomorrow in UTC
    sheets: {
      Inventory: [['SKU'], ['A']],
      settings: [
        ['Value', 'KEY', 'note'],
        ['30,15,7', 'warn_days', ''],
        ['2020-01-01', 'As-Of', 'mine'],
      ],
    },
  });
  const {gas} = loadGas({spreadsheet});
  const message = gas.stockoutUpdateAsOf();
  const today = todayIn('Pacific/Kiritimati');
  assert.equal(message, `as_of is now ${today} (Settings tab).`);
  const sheet = spreadsheet.sheet('settings');
  const [written, ...rest] = sheet.values[2];
  assert.equal(formatDate(written, 'Pacific/Kiritimati', 'yyyy-MM-dd'), today);
  assert.equal(written.getTime(), parseDate(today, 'Pacific/Kiritimati', 'yyyy-MM-dd').getTime());
  assert.deepEqual(rest, ['As-Of', 'mine']);
  assert.equal(sheet.formats['3,1'], 'yyyy-mm-dd');
  assert.deepEqual(sheet.values[1], ['30,15,7', 'warn_days', '']);
  assert.equal(spreadsheet.sheets.length, 2);
});

test('Update as-of adds the as_of row, or the Settings tab, when missing', () => {
  const withTab = new FakeSpreadsheet({
    sheets: {
      Settings: [
        ['Key', 'Value'],
        ['warn_days', '30'],
      ],
    },
  });
  loadGas({spreadsheet: withTab}).gas.stockoutUpdateAsOf();
  const rows = withTab.sheet('Settings').values;
  assert.equal(rows.length, 3);
  assert.equal(rows[2][0], 'as_of');
  assert.equal(formatDate(rows[2][1], 'Europe/Berlin', 'yyyy-MM-dd'), todayIn('Europe/Berlin'));

  const empty = new FakeSpreadsheet({sheets: {Inventory: [['SKU']]}});
  loadGas({spreadsheet: empty}).gas.stockoutUpdateAsOf();
  const created = empty.sheet('Settings').values;
  assert.deepEqual(plain(created[0]), ['Key', 'Value']);
  assert.equal(created[1][0], 'as_of');
  assert.equal(formatDate(created[1][1], 'Europe/Berlin', 'yyyy-MM-dd'), todayIn('Europe/Berlin'));
});

test('the settings dialog opens and only calls public functions that exist', () => {
  const {gas, ui} = loadGas();
  gas.stockoutShowSettings();
  assert.deepEqual(ui.dialogs, [{file: 'SettingsDialog', title: 'Stockout server'}]);
  const html = fs.readFileSync(path.join(GOOGLE_DIR, 'SettingsDialog.html'), 'utf8');
  const called = [...html.matchAll(/\.(stockout\w+)\(/g)].map((m) => m[1]);
  assert.deepEqual([...new Set(called)].sort(), [
    'stockoutGetSettings',
    'stockoutSaveSettings',
    'stockoutTestConnection',
  ]);
  for (const name of called) assert.equal(typeof gas[name], 'function', name);
});

test('saving settings stores URL and token but never hands the token back', () => {
  const {gas, props} = loadGas();
  const shown = gas.stockoutSaveSettings({
    url: ' https://stock.example.org/// ',
    token: ' t0ken-abc ',
  });
  assert.deepEqual(plain(shown), {url: 'https://stock.example.org', hasToken: true});
  assert.equal(props.STOCKOUT_SERVER_URL, 'https://stock.example.org');
  assert.equal(props.STOCKOUT_SERVER_TOKEN, 't0ken-abc');
  assert.ok(!JSON.stringify(plain(gas.stockoutGetSettings())).includes('t0ken'));

  // An empty token keeps the saved one, so the URL can change without retyping it.
  gas.stockoutSaveSettings({url: 'https://other.example.org', token: ''});
  assert.equal(props.STOCKOUT_SERVER_TOKEN, 't0ken-abc');
  assert.equal(props.STOCKOUT_SERVER_URL, 'https://other.example.org');
});

test('saving settings refuses a plain-http URL and a first save without token', () => {
  const {gas, props} = loadGas();
  assert.throws(
    () => gas.stockoutSaveSettings({url: 'http://stock.example.org', token: 'x'}),
    /must start with https:\/\//,
  );
  assert.throws(
    () => gas.stockoutSaveSettings({url: 'https://stock.example.org', token: ''}),
    /Enter the token/,
  );
  assert.deepEqual(props, {});
});

test('Test connection checks /healthz, then the token for this spreadsheet', () => {
  const requests = [];
  const server = (check) => (url, options) => {
    requests.push({url, options});
    const status = url.endsWith('/healthz') ? 200 : check;
    return {getResponseCode: () => status, getContentText: () => '{}'};
  };
  const run = (check) => loadGas({fetch: server(check), props: CONFIGURED}).gas.stockoutTestConnection();
  assert.equal(run(200), 'The server answers and accepts the token for this spreadsheet.');
  assert.equal(requests[0].url, 'https://stockout.example.com/healthz');
  assert.equal('Authorization' in (requests[0].options.headers || {}), false);
  assert.equal(requests[1].url, 'https://stockout.example.com/check?spreadsheet=sheet-id-123');
  assert.equal(requests[1].options.headers.Authorization, 'Bearer secret-token-1234567890');
  assert.equal(requests[1].options.followRedirects, false);
  assert.match(run(401), /refuses the token/);
  assert.match(run(403), /STOCKOUT_ALLOWED_SHEETS/);
  assert.match(run(404), /too old to check the token/);

  const notFound = answering(404, 'nope');
  assert.equal(
    loadGas({fetch: notFound.fetch, props: CONFIGURED}).gas.stockoutTestConnection(),
    'The server answered HTTP 404; check the URL.',
  );
  assert.equal(notFound.requests.length, 1);
  assert.equal(loadGas().gas.stockoutTestConnection(), 'Save a server URL first.');
});

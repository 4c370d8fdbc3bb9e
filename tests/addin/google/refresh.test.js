'use strict';
// The in-sheet refresh and the daily trigger, run against the stand-in for Google's services:
// what the seller's tabs, triggers and inbox hold after each menu item or trigger run.
const test = require('node:test');
const assert = require('node:assert/strict');
const {FakeSpreadsheet, loadGas, parseDate, formatDate} = require('./gas_context');

const ZONE = 'America/Los_Angeles';
const AS_OF = '2026-11-25';

function isoDaysBefore(iso, days) {
  return new Date(Date.parse(iso + 'T00:00:00Z') - days * 86400000).toISOString().slice(0, 10);
}

/** A small shop: A sells 10/day with 25 left (CRITICAL), B 2/day with 400 (OK), C is out. */
function shop({asOf = AS_OF, available = {A: 25, B: 400, C: 0}, email = 'me@example.com', extra = {}} = {}) {
  const sales = [['Date', 'SKU', 'Units']];
  for (let back = 60; back >= 1; back--) {
    const day = isoDaysBefore(asOf, back);
    sales.push([day, 'A', 10], [day, 'B', 2], [day, 'C', back <= 5 ? 0 : 4]);
  }
  return {
    Settings: [['Key', 'Value'], ['as_of', asOf], ['alert_email_to', email], ['sheet_language', 'en']],
    Inventory: [
      ['SKU', 'Title', 'Available', 'Price', 'Supplier'],
      ['A', 'Alpha mug', available.A, 20, 'Factory 1'],
      ['B', 'Beta mug', available.B, 15, 'Factory 1'],
      ['C', 'Gamma mug', available.C, 12, 'Factory 2'],
    ],
    Sales: sales,
    Inbound: [['SKU', 'Qty', 'ETA'], ['C', 200, isoDaysBefore(asOf, -40)]],
    ...extra,
  };
}

function open(tabs, options = {}) {
  const spreadsheet = new FakeSpreadsheet({timeZone: ZONE, sheets: tabs});
  return loadGas({spreadsheet, ...options});
}

function column(sheet, header) {
  const at = sheet.values[0].indexOf(header);
  assert.ok(at >= 0, header);
  return sheet.values.slice(1).map((row) => row[at]);
}

function alertsBySku(spreadsheet) {
  const sheet = spreadsheet.sheet('Alerts');
  const skus = column(sheet, 'SKU');
  const alerts = column(sheet, 'Alert');
  return Object.fromEntries(skus.map((sku, i) => [sku, alerts[i]]));
}

test('Refresh in this sheet writes Alerts, Incidents, Drafts and Problems and toasts a summary', () => {
  const {gas, spreadsheet} = open(shop());
  const message = gas.stockoutRefreshInSheet();
  assert.match(message, /^Refreshed 3 SKUs: 1 OUT, 1 CRITICAL, 1 OK\./);
  assert.deepEqual(alertsBySku(spreadsheet), {C: 'OUT', A: 'CRITICAL', B: 'OK'});
  for (const tab of ['Alerts', 'Incidents', 'Drafts', 'Problems']) assert.ok(spreadsheet.sheet(tab), tab);
  const alerts = spreadsheet.sheet('Alerts');
  // Dates are date cells in the sheet's zone, formatted as dates.
  const stockout = column(alerts, 'Stockout date')[1];
  assert.equal(formatDate(stockout, ZONE, 'yyyy-MM-dd'), '2026-11-27');
  const at = (header) => alerts.values[0].indexOf(header) + 1;
  assert.equal(alerts.formats[`3,${at('Stockout date')}`], 'yyyy-mm-dd');
  assert.equal(alerts.shownBackground(2, at('Alert')), '#C00000');
  assert.equal(alerts.shownBackground(3, at('Alert')), '#FF5B5B');
  const kinds = column(spreadsheet.sheet('Drafts'), 'Kind');
  assert.ok(kinds.includes('alert_digest') && kinds.includes('supplier_expedite'), kinds.join());
  assert.deepEqual(column(spreadsheet.sheet('Incidents'), 'SKU'), ['C']);
  assert.equal(spreadsheet.toasts.at(-1).message, message);
});

test("a seller's own number format stays; rows a refresh adds get the column's format", () => {
  const {gas, spreadsheet} = open(shop());
  gas.stockoutRefreshInSheet();
  const alerts = spreadsheet.sheet('Alerts');
  const at = (header) => alerts.values[0].indexOf(header) + 1;
  alerts.getRange(2, at('Stockout date')).setNumberFormat('dd.mm.yy');
  const inventory = spreadsheet.sheet('Inventory');
  inventory.appendRow(['D', 'Delta mug', 30, 9, 'Factory 2']);
  gas.stockoutRefreshInSheet();
  assert.equal(alerts.values.length, 5);
  assert.equal(alerts.formats[`2,${at('Stockout date')}`], 'dd.mm.yy');
  assert.equal(alerts.formats[`5,${at('Stockout date')}`], 'yyyy-mm-dd');
});

test('the Alert colours are conditional rules: they follow an edited value and are set once', () => {
  const {gas, spreadsheet} = open(shop());
  const alerts = spreadsheet.insertSheet('Alerts');
  alerts.getRange(2, 3).setBackground('#C00000'); // a fill an earlier bundle painted
  const theirs = SpreadsheetRule(gas, alerts, 'OUT', '#000000', 5); // the seller's, on column E
  alerts.setConditionalFormatRules([theirs]);
  gas.stockoutRefreshInSheet();
  const at = alerts.values[0].indexOf('Alert') + 1;
  assert.equal(at, 3);
  assert.deepEqual(column(alerts, 'Alert'), ['OUT', 'CRITICAL', 'OK']);
  assert.equal(alerts.backgrounds[`2,${at}`], null); // the old fill is gone ...
  assert.equal(alerts.shownBackground(2, at), '#C00000'); // ... the rule colours OUT
  assert.equal(alerts.shownBackground(4, at), '#C6EFCE');
  const rules = alerts.getConditionalFormatRules();
  assert.equal(rules.length, 7);
  assert.ok(rules.includes(theirs));
  alerts.getRange(4, at).setValue('OUT'); // the seller overrides a level: the colour follows
  assert.equal(alerts.shownBackground(4, at), '#C00000');
  alerts.getRange(2, at).setValue('WATCH');
  assert.equal(alerts.shownBackground(2, at), '#FFE699');
  gas.stockoutRefreshInSheet();
  gas.stockoutRefreshInSheet();
  const again = alerts.getConditionalFormatRules();
  assert.equal(again.length, 7);
  assert.ok(again.every((rule, i) => rule === rules[i])); // untouched, not rebuilt
  // Rows beyond the grid a refresh writes get the colours too: the rules follow the rows.
  const many = shop();
  for (let i = 0; i < 1200; i++) many.Inventory.push(['N' + i, 'New ' + i, 0, 1, 'Factory 3']);
  const big = open(many);
  big.gas.stockoutRefreshInSheet();
  const sheet = big.spreadsheet.sheet('Alerts');
  assert.equal(sheet.shownBackground(1204, 3), '#C6EFCE');
  assert.equal(sheet.shownBackground(1203, 3), '#FF5B5B');
  assert.equal(sheet.shownBackground(1202, 3), '#C00000');
});

test('a sheet switched to Chinese gets its alert words coloured, the English rules replaced', () => {
  const tabs = shop();
  const {gas, spreadsheet} = open(tabs);
  gas.stockoutRefreshInSheet();
  spreadsheet.sheet('Settings').getRange(4, 2).setValue('zh');
  gas.stockoutRefreshInSheet();
  const alerts = spreadsheet.sheet('Alerts');
  const values = alerts.getConditionalFormatRules().map((r) => r.getBooleanCondition().getCriteriaValues()[0]);
  assert.equal(values.length, 6);
  assert.ok(!values.includes('OUT'), values.join());
  const word = alerts.values[1][2];
  assert.notEqual(word, 'OUT');
  assert.ok(values.includes(word));
  assert.equal(alerts.shownBackground(2, 3), '#C00000');
});

test('money columns show the Settings currency as the Python backends do; pct and int too', () => {
  for (const [currency, pattern] of [['EUR', '"€"#,##0.00'], ['jpy', '"¥"#,##0'], ['XYZ', '#,##0.00']]) {
    const tabs = shop();
    tabs.Settings.push(['currency', currency]);
    const {gas, spreadsheet} = open(tabs);
    gas.stockoutRefreshInSheet();
    const alerts = spreadsheet.sheet('Alerts');
    const at = (header) => alerts.values[0].indexOf(header) + 1;
    assert.equal(alerts.formats[`2,${at('Lost revenue')}`], pattern, currency);
    assert.equal(alerts.formats[`2,${at('Stockout risk')}`], '0%');
    assert.equal(alerts.formats[`2,${at('Available')}`], '#,##0');
    assert.equal(alerts.formats[`2,${at('Daily sales')}`], '#,##0.0');
    assert.equal(alerts.formats[`2,${at('Action')}`], undefined); // text: the apostrophe keeps it
  }
});

/** A seller's own rule: cells of COLUMN equal to TEXT get COLOUR. */
function SpreadsheetRule(gas, sheet, text, colour, column) {
  return gas.SpreadsheetApp.newConditionalFormatRule()
    .whenTextEqualTo(text)
    .setBackground(colour)
    .setRanges([sheet.getRange(2, column, 100, 1)])
    .build();
}

test('a bad cell is listed on Problems and its SKU stays on Alerts, first, saying what to fix', () => {
  const tabs = shop();
  tabs.Inventory[2][2] = 'lots';
  tabs.Inventory[1][3] = '20 EUR';
  const {gas, spreadsheet} = open(tabs);
  gas.stockoutRefreshInSheet();
  const problems = spreadsheet.sheet('Problems').values;
  assert.deepEqual(problems[1].slice(0, 4), ['Inventory', 3, 'Available', 'lots']);
  assert.match(problems[1][4], /Available must be a number, got "lots"$/);
  assert.deepEqual(problems[2].slice(0, 4), ['Inventory', 2, 'Price', '20 EUR']);
  assert.deepEqual(alertsBySku(spreadsheet), {B: 'NO DATA', C: 'OUT', A: 'CRITICAL'});
  const alerts = spreadsheet.sheet('Alerts');
  assert.equal(column(alerts, 'SKU')[0], 'B'); // first: the fix takes a second, the risk is unknown
  assert.match(column(alerts, 'Action')[0], /^FIX INPUT: Inventory row 3, Available cannot be read/);
  assert.equal(column(alerts, 'Available')[0], '');
  const flags = column(alerts, 'Flags');
  assert.match(flags[0], /CHECK Inventory Available$/);
  assert.match(flags[2], /CHECK Inventory Price$/);
  assert.doesNotMatch(flags[1], /CHECK/);
});

test('a renamed tab or header is a refusal naming the nearest, and every tab stays as it was', () => {
  for (const [rename, expected] of [
    [(tabs) => ({...tabs, Inventry: tabs.Inventory, Inventory: undefined}), /no 'Inventory' tab \(is 'Inventry' it\? rename it to 'Inventory'\)/],
    [(tabs) => ({...tabs, Inventory: [['SKU', 'Title', 'Qty available'], ...tabs.Inventory.slice(1)]}), /Inventory: required column 'Available' not found \(is 'Qty available' it\?/],
  ]) {
    const {gas, spreadsheet} = open(shop());
    gas.stockoutRefreshInSheet();
    const before = JSON.stringify(spreadsheet.sheet('Alerts').values);
    const broken = rename(shop());
    const {gas: again, spreadsheet: sheet} = open(Object.fromEntries(Object.entries(broken).filter(([, v]) => v)));
    sheet.insertSheet('Alerts').getRange(1, 1, 2, 2).setValues([['SKU', 'Alert'], ['A', 'CRITICAL']]);
    const message = again.stockoutRefreshInSheet();
    assert.match(message, /^Not refreshed: /);
    assert.match(message, expected);
    assert.deepEqual(sheet.sheet('Alerts').values, [['SKU', 'Alert'], ['A', 'CRITICAL']]);
    assert.equal(sheet.sheet('Problems'), undefined);
    assert.ok(before.length > 100);
  }
});

test('SKUs match ignoring case and spaces; an unknown one gets the nearest suggested', () => {
  const tabs = shop();
  tabs.Sales = tabs.Sales.map((row, i) => (i && row[1] === 'A' ? [row[0], ' a ', row[2]] : row));
  tabs.Sales.push([isoDaysBefore(AS_OF, 1), 'Alpha', 3]);
  tabs.Inventory[1][0] = 'Alpha-1';
  tabs.Sales = tabs.Sales.map((row, i) => (i && row[1] === ' a ' ? [row[0], 'alpha-1 ', row[2]] : row));
  const {gas, spreadsheet} = open(tabs);
  gas.stockoutRefreshInSheet();
  assert.equal(alertsBySku(spreadsheet)['Alpha-1'], 'CRITICAL'); // its sales were counted
  const problems = spreadsheet.sheet('Problems').values.slice(1);
  assert.deepEqual(problems.map((p) => p.slice(0, 4)), [['Sales', 182, 'SKU', 'Alpha']]);
  assert.equal(problems[0][4], "SKU is not on the Inventory tab (did you mean 'Alpha-1'?): its 1 row(s) are ignored");
});

test("the user's columns, rows and formulas stay with their SKU when the order changes", () => {
  const {gas, spreadsheet} = open(shop());
  gas.stockoutRefreshInSheet();
  const alerts = spreadsheet.sheet('Alerts');
  const width = alerts.values[0].length;
  alerts.getRange(1, width + 1, 1, 2).setValues([['My note', 'Double']]);
  const rowOf = (sku) => column(alerts, 'SKU').indexOf(sku) + 2;
  alerts.getRange(rowOf('B'), width + 1, 1, 2).setValues([['call factory', `=C${rowOf('B')}*2`]]);
  alerts.getRange(10, width + 1).setValue('Total'); // a row of the user's, with no SKU
  // B runs low: it moves up the list, and its note and formula must move with it.
  const inventory = spreadsheet.sheet('Inventory');
  inventory.getRange(3, 3).setValue(3);
  gas.stockoutRefreshInSheet();
  const row = rowOf('B');
  assert.notEqual(row, 4);
  assert.equal(alerts.values[row - 1][width], 'call factory');
  assert.equal(alerts.formulas[`${row},${width + 2}`], `=C${row}*2`);
  assert.equal(alerts.values[0][width], 'My note');
  assert.equal(alerts.values[4][width], 'Total');
});

test('a TOTAL typed in the SKU column is the user\'s row, not a SKU that left Inventory', () => {
  const {gas, spreadsheet} = open(shop());
  gas.stockoutRefreshInSheet();
  const alerts = spreadsheet.sheet('Alerts');
  const available = alerts.values[0].indexOf('Available') + 1;
  alerts.getRange(5, 1).setValue('TOTAL');
  alerts.getRange(5, available).setValue('=SUM(I2:I4)');
  spreadsheet.sheet('Inventory').getRange(4, 1, 1, 5).clearContent(); // C leaves: its row goes
  gas.stockoutRefreshInSheet();
  assert.deepEqual(column(alerts, 'SKU').filter(Boolean), ['A', 'B', 'TOTAL']);
  const total = column(alerts, 'SKU').indexOf('TOTAL') + 2;
  assert.match(alerts.formulas[`${total},${available}`], /^=SUM\(/);
});

test('text is written as text: a title like a formula or a number stays what was typed', () => {
  const tabs = shop();
  tabs.Inventory[1][1] = '=IMPORTXML("http://x")';
  tabs.Inventory[2][0] = '0012';
  tabs.Sales = tabs.Sales.map((row) => (row[1] === 'B' ? [row[0], '0012', row[2]] : row));
  const {gas, spreadsheet} = open(tabs);
  gas.stockoutRefreshInSheet();
  const alerts = spreadsheet.sheet('Alerts');
  assert.deepEqual(alerts.formulas, {});
  assert.ok(column(alerts, 'Title').includes('=IMPORTXML("http://x")'));
  assert.ok(column(alerts, 'SKU').includes('0012'));
});

test('Drafts: a Status the user set is never rewritten, a draft is refreshed in place', () => {
  const {gas, spreadsheet} = open(shop());
  gas.stockoutRefreshInSheet();
  const drafts = spreadsheet.sheet('Drafts');
  const keys = column(drafts, 'Key');
  const at = keys.findIndex((k) => k.startsWith('supplier_expedite:Factory 1:'));
  assert.ok(at >= 0, keys.join());
  const status = drafts.values[0].indexOf('Status') + 1;
  const body = drafts.values[0].indexOf('Body') + 1;
  drafts.getRange(at + 2, status).setValue('sent');
  drafts.getRange(at + 2, body).setValue('my own words');
  gas.stockoutRefreshInSheet();
  const after = column(drafts, 'Key');
  assert.equal(after.filter((k) => k === keys[at]).length, 1);
  assert.equal(drafts.values[at + 1][body - 1], 'my own words');
  assert.equal(drafts.values[at + 1][status - 1], 'sent');
  assert.equal(after.length, keys.length);
});

test('a second refresh while one runs is refused, not run twice', () => {
  const {gas, lock, spreadsheet} = open(shop());
  lock.held = true;
  assert.match(gas.stockoutRefreshInSheet(), /already running/);
  assert.equal(spreadsheet.sheet('Alerts'), undefined);
});

test('a sheet too large for one run continues in a one-off trigger and ends as one run would', () => {
  const single = open(shop());
  single.gas.stockoutRefreshInSheet();
  let clock = 0;
  const slow = open(shop(), {now: () => (clock += 300000)}); // every look at the clock: 5 min later
  const first = slow.gas.stockoutRefreshInSheet();
  assert.match(first, /^Planned 1 of 3 SKUs; the refresh continues by itself in a minute/);
  assert.equal(slow.spreadsheet.sheet('Alerts'), undefined);
  assert.equal(slow.spreadsheet.sheet('_stockout_progress').isSheetHidden(), true);
  assert.deepEqual(slow.triggers.map((t) => [t.spec.handler, t.spec.afterMs]), [['stockoutContinueRefresh', 60000]]);
  let runs = 1;
  while (slow.triggers.length && runs < 10) {
    slow.triggers[0].spec.fired = true;
    slow.gas[slow.triggers[0].spec.handler]();
    runs += 1;
  }
  assert.equal(runs, 3); // one more SKU per run at this clock
  assert.deepEqual(slow.triggers, []);
  assert.equal(slow.spreadsheet.sheet('_stockout_progress'), undefined);
  const strip = (s) => {
    const updated = s.sheet('Alerts').values[0].indexOf('Updated');
    return s.sheet('Alerts').values.map((row) => row.filter((_, i) => i !== updated).map(String));
  };
  assert.deepEqual(strip(slow.spreadsheet), strip(single.spreadsheet));
});

test('the daily trigger: installed once, re-installing replaces it', () => {
  const {gas, triggers} = open(shop());
  const message = gas.stockoutInstallDailyRefresh();
  gas.stockoutInstallDailyRefresh();
  assert.equal(triggers.length, 1);
  assert.deepEqual(
    {...triggers[0].spec, id: undefined},
    {handler: 'stockoutDailyRefresh', id: undefined, everyDays: 1, atHour: 7, timezone: ZONE},
  );
  assert.match(message, /an e-mail goes to me@example\.com when an alert got worse/);
  assert.equal(gas.stockoutRemoveDailyRefresh(), 'Daily refresh removed.');
  assert.equal(triggers.length, 0);
});

test('the daily run moves as_of to today, refreshes, and mails only what got worse', () => {
  const today = formatDate(new Date(), ZONE, 'yyyy-MM-dd');
  const loaded = open(shop({asOf: '2026-01-01'}));
  const {gas, spreadsheet, mails} = loaded;
  // The sheet's sales end yesterday whatever today is: rebuild them as of today.
  spreadsheet.sheet('Sales').values = shop({asOf: today}).Sales.map((row, i) =>
    i === 0 ? row : [loaded.contextDate(parseDate(row[0], ZONE, 'yyyy-MM-dd')), row[1], row[2]],
  );
  gas.stockoutDailyRefresh();
  const asOf = spreadsheet.sheet('Settings').values[1][1];
  assert.equal(formatDate(asOf, ZONE, 'yyyy-MM-dd'), today);
  assert.equal(mails.length, 1);
  assert.equal(mails[0].to, 'me@example.com');
  assert.match(mails[0].subject, /^Stockout alerts .*: 1 OUT, 1 CRITICAL$/);
  assert.match(mails[0].body, /2 of 3 SKUs need attention \(alert worse than at the last notice\)/);

  // Nothing worse the next day: no mail.
  gas.stockoutDailyRefresh();
  assert.equal(mails.length, 1);

  // B falls to CRITICAL: one mail, about B only, saying what it was.
  spreadsheet.sheet('Inventory').getRange(3, 3).setValue(10);
  const text = gas.stockoutDailyRefresh();
  assert.equal(mails.length, 2);
  assert.match(mails[1].body, /^1 of 3 SKUs needs attention/);
  assert.match(mails[1].body, /CRITICAL: B, Beta mug/);
  assert.doesNotMatch(mails[1].body, /Alpha/);
  assert.match(text, /E-mailed me@example\.com: 1 SKU\(s\) got worse\./);
});

test('a daily run that is refused says so by e-mail and leaves Alerts as they were', () => {
  const tabs = shop();
  tabs.Inventory[0][2] = 'Qty available';
  const {gas, spreadsheet, mails} = open(tabs);
  const settingsBefore = JSON.stringify(spreadsheet.sheet('Settings').values);
  spreadsheet.insertSheet('Alerts').getRange(1, 1, 2, 2).setValues([['SKU', 'Alert'], ['A', 'OK']]);
  const text = gas.stockoutDailyRefresh();
  assert.match(text, /^Not refreshed: Inventory: required column 'Available' not found/);
  assert.match(text, /E-mailed me@example\.com\.$/);
  assert.equal(mails.length, 1);
  assert.equal(mails[0].subject, 'Stockout: the daily refresh did not run');
  assert.match(mails[0].body, /is 'Qty available' it\? rename it to 'Available'/);
  assert.deepEqual(spreadsheet.sheet('Alerts').values, [['SKU', 'Alert'], ['A', 'OK']]);
  assert.equal(JSON.stringify(spreadsheet.sheet('Settings').values), settingsBefore); // as_of kept
});

test('a mail that fails is sent again by the next run; no address, no mail', () => {
  const loaded = open(shop());
  const send = loaded.gas.MailApp.sendEmail;
  loaded.gas.MailApp.sendEmail = () => {
    throw new Error('Service invoked too many times for one day: email.');
  };
  const failed = loaded.gas.stockoutRunRefresh_({notify: true}).message;
  assert.match(failed, /Alert e-mail not sent: Service invoked too many times/);
  loaded.gas.MailApp.sendEmail = send;
  loaded.gas.stockoutRunRefresh_({notify: true});
  assert.equal(loaded.mails.length, 1);

  const silent = open(shop({email: ''}));
  assert.match(silent.gas.stockoutRunRefresh_({notify: true}).message, /set alert_email_to/);
  assert.equal(silent.mails.length, 0);
});

test('the in-sheet benchmark still runs (tiny size; the README table comes from large ones)', () => {
  const {spawnSync} = require('node:child_process');
  const path = require('node:path');
  const bench = path.join(__dirname, '..', '..', '..', 'benchmarks', 'bench_in_sheet.js');
  const done = spawnSync(process.execPath, [bench, '5x30'], {encoding: 'utf8', timeout: 120000});
  assert.equal(done.status, 0, done.stderr);
  assert.match(done.stdout, /\| 5 × 30 \| 150 \|/);
});

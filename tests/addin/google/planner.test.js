'use strict';
// Stockout > Add Planner tab: the live Planner in the stand-in spreadsheet, its formulas
// computed by the stand-in's engine (sheet_formulas.js) calling the bundle's custom functions.
// tests/addin/google/test_google_planner.py compares every cell over the demo with Python.
const test = require('node:test');
const assert = require('node:assert/strict');
const {FakeSpreadsheet, loadGas, formatDate, parseDate, plain} = require('./gas_context');
const {recalculate} = require('./sheet_formulas');

const ZONE = 'America/Los_Angeles';
const AS_OF = '2026-11-25';

function isoDaysBefore(iso, days) {
  return new Date(Date.parse(iso + 'T00:00:00Z') - days * 86400000).toISOString().slice(0, 10);
}

/** A sells 10/day with 25 left, B 2/day with 400 (out of stock 3 days ago), C is out with 200 coming. */
function shop() {
  const sales = [['Date', 'SKU', 'Units', 'In stock']];
  for (let back = 60; back >= 1; back--) {
    const day = isoDaysBefore(AS_OF, back);
    sales.push([day, 'A', 10, true], [day, 'B', back === 3 ? 0 : 2, back !== 3], [day, 'C', back <= 5 ? 0 : 4, true]);
  }
  return {
    Settings: [['Key', 'Value'], ['as_of', AS_OF], ['warn_days', '30,15,7'], ['safety_days', 7]],
    Inventory: [['SKU', 'Title', 'Available'], ['A', 'Alpha', 25], ['B', 'Beta', 400], ['C', 'Gamma', 0], ['D', 'Delta', 5]],
    Sales: sales,
    Inbound: [['SKU', 'Qty', 'ETA'], ['C', 200, isoDaysBefore(AS_OF, -40)]],
  };
}

/** The stand-in with TABS, ISO days typed in as date cells (as Sheets stores a typed date). */
function open(tabs) {
  const spreadsheet = new FakeSpreadsheet({timeZone: ZONE, sheets: tabs});
  const loaded = loadGas({spreadsheet});
  for (const sheet of spreadsheet.getSheets()) {
    sheet.values = sheet.values.map((row, i) =>
      row.map((v) => (i > 0 && typeof v === 'string' && /^\d{4}-\d\d-\d\d$/.test(v) ? loaded.contextDate(parseDate(v, ZONE, 'yyyy-MM-dd')) : v)),
    );
  }
  return loaded;
}

const day = (v) => (Object.prototype.toString.call(v) === '[object Date]' ? formatDate(v, ZONE, 'yyyy-MM-dd') : v);

/** The Planner's rows with a SKU as {header: value}, dates as ISO days. */
function planner(spreadsheet) {
  const [header, ...rows] = spreadsheet.sheet('Planner').values;
  return Object.fromEntries(
    rows.filter((row) => row[0] !== '').map((row) => [row[0], Object.fromEntries(header.map((h, i) => [h, day(row[i])]))]),
  );
}

test('Add Planner tab writes live formulas whose values follow the functions', () => {
  const loaded = open(shop());
  const {gas, spreadsheet} = loaded;
  assert.match(gas.stockoutAddPlanner(), /^added the Planner tab: 100 rows of live formulas/);
  const sheet = spreadsheet.sheet('Planner');
  const header = sheet.values[0];
  assert.deepEqual(header.slice(0, 14), plain(gas.StockoutSchema.planner.columns.map((c) => c.header)));
  assert.deepEqual(header.slice(14), ['7-day avg', '30-day avg', '90-day avg', 'As of']);
  assert.match(sheet.notes['1,5'], /^DAYS_OF_COVER: Available \/ Daily sales/);
  assert.equal(sheet.formats['2,6'], 'yyyy-mm-dd');
  assert.equal(sheet.formats['101,3'], '#,##0');
  assert.equal(sheet.formats['2,4'], '#,##0.0');
  assert.equal(sheet.frozen.rows, 1);
  assert.equal(sheet.formulas['2,4'], '=SALES_VELOCITY(Sales!$A$2:$D$5000,,"7,30,90","0.5,0.3,0.2",A2:A101,$R$2)');
  assert.equal(sheet.formulas['2,18'], '=IF(Settings!$B$2="","",Settings!$B$2)');
  assert.match(sheet.notes['1,18'], /does not let the stockout functions read TODAY\(\)/);
  assert.equal(sheet.formulas['3,4'], undefined); // one call per column, spilling down
  recalculate(spreadsheet, loaded);
  const rows = planner(spreadsheet);
  assert.deepEqual(Object.keys(rows), ['A', 'B', 'C', 'D']);
  assert.deepEqual(
    [rows.A['Daily sales'], rows.A['Days of cover'], rows.A['Stockout date'], rows.A['Reorder by'], rows.A.Alert],
    [10, 2.5, '2026-11-27', '2026-11-25', 'CRITICAL'],
  );
  assert.equal(rows.A['Safety stock'], 70);
  assert.equal(rows.A['Lead time days'], 75); // no day columns in Inventory: Settings' defaults
  // B was out one day 3 days ago: that day does not count in its averages.
  assert.deepEqual([rows.B['7-day avg'], rows.B['Daily sales'], rows.B.Alert], [2, 2, 'OK']);
  assert.equal(rows.B['Stockout date'], '2027-06-13');
  assert.deepEqual([rows.C.Alert, rows.C['Next inbound'], rows.C['Inbound ETA'], rows.C['Days of cover']], ['OUT', 200, '2027-01-04', 0]);
  assert.deepEqual([rows.D.Alert, rows.D['Daily sales'], rows.D['Sales since']], ['NO DATA', '', '']);
  assert.equal(rows.A['As of'], AS_OF);
});

test('an edited Available or a new Sales day changes the Planner with no refresh', () => {
  const loaded = open(shop());
  const {gas, spreadsheet} = loaded;
  gas.stockoutAddPlanner();
  recalculate(spreadsheet, loaded);
  const inventory = spreadsheet.sheet('Inventory');
  inventory.getRange(3, 3).setValue(0); // B sells out
  inventory.getRange(2, 3).setValue(250); // A gets ten times the stock
  recalculate(spreadsheet, loaded);
  let rows = planner(spreadsheet);
  assert.deepEqual([rows.B.Alert, rows.B['Stockout date'], rows.B['Days of cover']], ['OUT', AS_OF, 0]);
  assert.deepEqual([rows.A['Days of cover'], rows.A['Stockout date'], rows.A.Alert], [25, '2026-12-20', 'WATCH']);
  spreadsheet.sheet('Settings').getRange(3, 2).setValue("'40,30,20"); // warning lines further out
  recalculate(spreadsheet, loaded);
  rows = planner(spreadsheet);
  assert.equal(rows.A.Alert, 'WARNING');
});

test('an overdue shipment counts as on hand and makes the row WATCH; closed rows are skipped', () => {
  const tabs = shop();
  tabs.Inbound = [
    ['SKU', 'Qty', 'ETA', 'Status'],
    ['C', 200, isoDaysBefore(AS_OF, -40), 'in transit'],
    ['B', 100, isoDaysBefore(AS_OF, 2), 'shipped'], // overdue: counted today, as Alerts do
    ['B', 500, isoDaysBefore(AS_OF, 5), 'Received'], // closed rows no longer come
    ['B', 999, isoDaysBefore(AS_OF, -10), 'CANCELLED'],
  ];
  const loaded = open(tabs);
  loaded.gas.stockoutAddPlanner();
  recalculate(loaded.spreadsheet, loaded);
  const b = planner(loaded.spreadsheet).B;
  assert.deepEqual([b['Overdue inbound'], b['Next inbound'], b['Inbound ETA']], [100, '', '']);
  assert.equal(b['Stockout date'], isoDaysBefore(AS_OF, -250)); // (400 + 100) / 2 a day
  assert.equal(b.Alert, 'WATCH'); // OK by its dates, but a shipment is missing
  assert.equal(planner(loaded.spreadsheet).C['Next inbound'], 200);
});

test('a Planner tab already there is left alone; a Sales tab the functions cannot read is refused', () => {
  let loaded = open(shop());
  loaded.gas.stockoutAddPlanner();
  loaded.spreadsheet.sheet('Planner').getRange(2, 20).setValue('my note');
  assert.match(loaded.gas.stockoutAddPlanner(), /there is a "Planner" tab already/);
  assert.equal(loaded.spreadsheet.sheet('Planner').cell(2, 20), 'my note');
  const tabs = shop();
  tabs.Sales = tabs.Sales.map(([d, s, u, f]) => [s, d, u, f]);
  loaded = open(tabs);
  assert.match(loaded.gas.stockoutAddPlanner(), /^No Planner added: the functions read the Sales tab as a table of Date, SKU, Units and In stock/);
  assert.equal(loaded.spreadsheet.sheet('Planner'), undefined);
  delete tabs.Inbound;
  loaded = open(tabs);
  assert.match(loaded.gas.stockoutAddPlanner(), /^No Planner added: there is no Inbound tab/);
});

test('a Sales tab without In stock counts every day as in stock', () => {
  const tabs = shop();
  tabs.Sales = tabs.Sales.map((row) => row.slice(0, 3));
  const loaded = open(tabs);
  loaded.gas.stockoutAddPlanner();
  const sheet = loaded.spreadsheet.sheet('Planner');
  assert.match(sheet.formulas['2,4'], /^=SALES_VELOCITY\(Sales!\$A\$2:\$C\$5000,/);
  assert.doesNotMatch(sheet.formulas['2,15'], /FALSE/);
  recalculate(loaded.spreadsheet, loaded);
  const rows = planner(loaded.spreadsheet);
  // B's day out of stock now counts as a day of 0 sales: 12 units over 7 days.
  assert.deepEqual([rows.B['7-day avg'], rows.B['30-day avg']], [12 / 7, 58 / 30]);
  assert.equal(rows.B['Daily sales'], 0.5 * (12 / 7) + 0.3 * (58 / 30) + 0.2 * (118 / 60));
  assert.equal(rows.A.Alert, 'CRITICAL');
});

test('without Settings rows the Planner uses the defaults and sets as_of to today', () => {
  const tabs = shop();
  tabs.Settings = [['Key', 'Value']];
  const loaded = open(tabs);
  const today = formatDate(new Date(), ZONE, 'yyyy-MM-dd');
  assert.match(loaded.gas.stockoutAddPlanner(), new RegExp('Settings as_of was blank: it is now ' + today + '\\.$'));
  const settings = loaded.spreadsheet.sheet('Settings');
  assert.equal(settings.cell(2, 1), 'as_of');
  assert.equal(day(settings.cell(2, 2)), today);
  const sheet = loaded.spreadsheet.sheet('Planner');
  assert.match(sheet.formulas['2,8'], /ALERT_LEVEL\(IF\(F2:F101="","",F2:F101-\$R\$2\),C2:C101,"30,15,7",K2:K101,IF\(G2:G101="","",G2:G101-\$R\$2\),N2:N101\)\)\)\)\)/);
  assert.match(sheet.formulas['2,12'], /SAFETY_STOCK\(D2:D101,0,K2:K101,,,7\)/);
  recalculate(loaded.spreadsheet, loaded);
  assert.equal(day(sheet.values[1][17]), today);
  assert.equal(planner(loaded.spreadsheet).A.Alert, 'CRITICAL');
});

test('the first refresh from the menu offers the Planner once; the daily run never asks', () => {
  let loaded = open(shop());
  loaded.ui.answers.push('YES');
  loaded.gas.stockoutRefreshInSheet();
  assert.equal(loaded.ui.alerts.length, 1);
  assert.equal(loaded.ui.alerts[0].buttons, 'YES_NO');
  assert.ok(loaded.spreadsheet.sheet('Planner'));
  loaded.gas.stockoutRefreshInSheet();
  assert.equal(loaded.ui.alerts.length, 1);
  loaded = open(shop());
  loaded.gas.stockoutRefreshInSheet(); // "No"
  loaded.gas.stockoutRefreshInSheet();
  assert.equal(loaded.ui.alerts.length, 1);
  assert.equal(loaded.spreadsheet.sheet('Planner'), undefined);
  loaded = open(shop());
  loaded.gas.stockoutDailyRefresh();
  assert.equal(loaded.ui.alerts.length, 0);
});

test('the engine refuses a range where Sheets wants one value (no ARRAYFORMULA)', () => {
  const loaded = open({Inventory: [['SKU'], ['A'], ['B']]});
  const sheet = loaded.spreadsheet.insertSheet('Try');
  sheet.getRange(1, 1).setValue('=IF(Inventory!A2:A3="","-",Inventory!A2:A3)');
  assert.throws(() => recalculate(loaded.spreadsheet, loaded), /wrap the formula in ARRAYFORMULA/);
  sheet.getRange(1, 1).setValue('=ARRAYFORMULA(IF(Inventory!A2:A3="","-",Inventory!A2:A3&"!"))');
  recalculate(loaded.spreadsheet, loaded);
  assert.deepEqual([sheet.cell(1, 1), sheet.cell(2, 1)], ['A!', 'B!']);
  sheet.getRange(1, 1).setValue('=NOT_A_FUNCTION(1)');
  recalculate(loaded.spreadsheet, loaded);
  assert.equal(sheet.cell(1, 1).code, '#NAME?');
  // Sheets refuses a custom function that reads TODAY(), even through another cell.
  sheet.getRange(1, 2).setValue('=TODAY()');
  sheet.getRange(1, 3).setValue('=DAYS_OF_COVER(10,B1)');
  sheet.getRange(1, 1).setValue('=DAYS_OF_COVER(10,2)');
  recalculate(loaded.spreadsheet, loaded);
  assert.equal(sheet.cell(1, 1), 5);
  assert.match(String(sheet.cell(1, 3)), /not allowed to reference a cell with NOW\(\)/);
});

test('a long Inventory gets a Planner row for each SKU and half a hundred to grow', () => {
  const tabs = shop();
  for (let i = 0; i < 1100; i++) tabs.Inventory.push(['N' + i, 'New ' + i, 5]);
  const loaded = open(tabs);
  assert.match(loaded.gas.stockoutAddPlanner(), /: 1154 rows of live formulas/);
  const sheet = loaded.spreadsheet.sheet('Planner');
  assert.ok(sheet.getMaxRows() >= 1155);
  assert.equal(sheet.formulas['2,1'], '=ARRAYFORMULA(IF(Inventory!$A$2:$A$1155="","",Inventory!$A$2:$A$1155&""))');
  assert.match(sheet.formulas['1155,10'], /MINIFS\(Inbound!\$C\$2:\$C\$500,Inbound!\$A\$2:\$A\$500,\$A1155,/);
});

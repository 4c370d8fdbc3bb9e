'use strict';
/**
 * How large a sheet can the in-sheet refresh (Apps Script, no server) handle in one run?
 *
 *   node benchmarks/bench_in_sheet.js [SKUS×DAYS ...]     e.g. 500x365 2000x365
 *
 * Runs addin/google/*.gs in Node against the stand-in for Google's services
 * (tests/addin/google/gas_context.js) on generated workbooks of SKUS × DAYS daily sales rows and
 * times the phases of stockoutRefresh_: reading and parsing the tabs, planning every SKU
 * (Decisions.plan_sku), and building and writing the output tabs. The stand-in's getValues and
 * setValues cost nothing, so real Sheets I/O comes on top; and Google's V8 runs slower than
 * Node on a desktop. Planning continues in follow-up runs when it does not fit (Refresh.gs); the
 * reading and writing of one run must fit in the 6 minutes either way.
 */
const path = require('node:path');
const {FakeSpreadsheet, loadGas} = require(path.join(__dirname, '..', 'tests', 'addin', 'google', 'gas_context'));

const AS_OF = '2026-11-25';

function iso(offset) {
  return new Date(Date.parse(AS_OF + 'T00:00:00Z') + offset * 86400000).toISOString().slice(0, 10);
}

/** A seeded generator, so every run plans the same workbook. */
function random(seed) {
  let x = seed;
  return () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
}

function workbook(skus, days) {
  const rnd = random(7);
  const inventory = [['SKU', 'Title', 'Available', 'Price', 'Case pack', 'Supplier']];
  const sales = [['Date', 'SKU', 'Units', 'In stock']];
  const inbound = [['SKU', 'Qty', 'ETA', 'Shipment ID']];
  const dates = Array.from({length: days}, (_, i) => iso(i - days));
  for (let s = 0; s < skus; s++) {
    const sku = 'SKU-' + String(s).padStart(5, '0');
    const rate = 0.5 + rnd() * 20;
    inventory.push([sku, 'Product ' + s, Math.round(rate * rnd() * 90), 10 + Math.round(rnd() * 40), 12, 'F' + (s % 5)]);
    for (const day of dates) sales.push([day, sku, Math.round(rate * (0.5 + rnd())), true]);
    if (s % 3 === 0) inbound.push([sku, Math.round(rate * 60), iso(10 + (s % 50)), 'FBA' + s]);
  }
  const settings = [['Key', 'Value'], ['as_of', AS_OF]];
  return {Settings: settings, Inventory: inventory, Sales: sales, Inbound: inbound};
}

function measure(skus, days) {
  const spreadsheet = new FakeSpreadsheet({timeZone: 'Etc/UTC', sheets: workbook(skus, days)});
  const {gas} = loadGas({spreadsheet});
  const clock = () => Number(process.hrtime.bigint() / 1000000n);
  let t = clock();
  const grids = {};
  for (const tab of ['Settings', 'Inventory', 'Sales', 'Inbound', 'Promotions', 'Orders']) {
    const sheet = gas.stockoutFindSheet_(spreadsheet, tab);
    grids[tab] = sheet ? sheet.getDataRange().getValues() : null;
  }
  const inputs = gas.stockoutReadInputs_(grids, 'Etc/UTC');
  const items = gas.stockoutItems_(inputs, AS_OF, []);
  const read = clock() - t;
  t = clock();
  const plans = items.map((item) => gas.Decisions.plan_sku(item, inputs.settings, AS_OF));
  const plan = clock() - t;
  t = clock();
  const result = gas.stockoutPlan_(inputs, items, plans, AS_OF, []);
  gas.stockoutWriteOutputs_(spreadsheet, result, {}, inputs.problems.rows, 'en', 'Etc/UTC');
  const write = clock() - t;
  return {skus, days, rows: skus * days, read, plan, write, total: read + plan + write};
}

const sizes = (process.argv.slice(2).length ? process.argv.slice(2) : ['200x365', '1000x365', '2000x365']).map((s) =>
  s.split('x').map(Number),
);
console.log('| SKUs × days | sales rows | read + parse | plan | outputs | total (Node) |');
console.log('|---|---|---|---|---|---|');
for (const [skus, days] of sizes) {
  const m = measure(skus, days);
  const s = (ms) => (ms / 1000).toFixed(2) + ' s';
  console.log(`| ${skus} × ${days} | ${m.rows.toLocaleString('en')} | ${s(m.read)} | ${s(m.plan)} | ${s(m.write)} | ${s(m.total)} |`);
}

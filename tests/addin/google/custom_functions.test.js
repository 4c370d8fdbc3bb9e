'use strict';
// The SPEC §4 custom functions as Google Sheets calls them: cells as values, ranges as rows,
// dates as Date objects in the spreadsheet's time zone, blanks as "".
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const {FakeSpreadsheet, loadGas, plain, formatDate, parseDate} = require('./gas_context');

const ZONE = 'Asia/Tokyo'; // midnight there is the previous day in UTC: catches UTC misreads
const {gas, contextDate} = loadGas({spreadsheet: new FakeSpreadsheet({timeZone: ZONE})});
const day = (iso) => contextDate(parseDate(iso, ZONE, 'yyyy-MM-dd')); // a date cell from Google
const shown = (value) => formatDate(new Date(value.getTime()), ZONE, 'yyyy-MM-dd');

const CELL_FUNCTIONS = {
  days_of_cover: 'DAYS_OF_COVER',
  sales_velocity: 'SALES_VELOCITY',
  demand_forecast: 'DEMAND_FORECAST',
  stockout_date: 'STOCKOUT_DATE',
  stockout_gap: 'STOCKOUT_GAP',
  safety_stock: 'SAFETY_STOCK',
  reorder_date: 'REORDER_DATE',
  reorder_qty: 'REORDER_QTY',
  alert_level: 'ALERT_LEVEL',
};

/** A vector argument as a cell or range: lists become a column (units) or a row (the rest);
 * a list of rows (the long Sales table) is a range as it is. */
function asSheetArgument(value, index, name) {
  if (!Array.isArray(value)) return value;
  if (value.length && Array.isArray(value[0])) return value; // a table: rows as they are
  if (name === 'sales_velocity' && index <= 1) return value.map((v) => [v]);
  if (name === 'demand_forecast' && (index === 0 || index === 3)) return value.map((v) => [v]);
  return [value];
}

/** What the sheet shows for a vector's expected value. */
function asShown(expected) {
  if (expected === null) return '';
  if (expected && typeof expected === 'object' && 'error' in expected) {
    return '#STOCKOUT: ' + expected.error;
  }
  return expected;
}

test('every shared vector of the eight cell functions shows the same value in a cell', () => {
  const vectors = path.resolve(__dirname, '../../vectors');
  let checked = 0;
  for (const [name, custom] of Object.entries(CELL_FUNCTIONS)) {
    const spec = JSON.parse(fs.readFileSync(path.join(vectors, name + '.json'), 'utf8'));
    for (const kase of spec.cases) {
      // A sheet cannot pass an empty range (a blank cell arrives as ""), nor keyword arguments.
      if (kase.kwargs || kase.args.some((a) => Array.isArray(a) && !a.length)) continue;
      const args = kase.args.map((value, i) => asSheetArgument(value, i, name));
      let got = gas[custom](...args);
      if (got && typeof got.getTime === 'function') got = shown(got);
      assert.deepStrictEqual(
        plain(got),
        asShown(kase.expected),
        `${custom}: ${kase.name} ${JSON.stringify(args)}`,
      );
      checked += 1;
    }
  }
  assert.ok(checked >= 40, `only ${checked} cases checked`);
});

test('a single cell gives a single value; a column gives a column', () => {
  assert.equal(gas.DAYS_OF_COVER(120, 8), 15);
  assert.deepEqual(plain(gas.DAYS_OF_COVER([[120], [30], [7]], [[8], [3], [0]])), [
    [15],
    [10],
    [''],
  ]);
});

test('single cells broadcast against ranges, and blocks give one value per cell', () => {
  assert.deepEqual(plain(gas.DAYS_OF_COVER([[100], [50]], 5)), [[20], [10]]);
  assert.deepEqual(plain(gas.DAYS_OF_COVER([[100, 50]], [[5], [10]])), [
    [20, 10],
    [10, 5],
  ]);
});

test('ranges of different lengths are refused with the argument named', () => {
  assert.equal(
    gas.DAYS_OF_COVER([[1], [2], [3]], [[1], [2]]),
    '#STOCKOUT: daily_sales is 2×1 cells but the other ranges are 3×1',
  );
});

test('empty rows stay empty so a column formula leaves room for new SKUs', () => {
  const got = gas.REORDER_QTY([[100], [''], [null]], [[0], [''], ['']], 5, 30);
  assert.deepEqual(plain(got), [[300], [''], ['']]); // 60 days x 5 when the order lands
});

test('a bad cell shows a #STOCKOUT error in its own row, the others still compute', () => {
  assert.deepEqual(plain(gas.DAYS_OF_COVER([[100], ['abc'], [-5]], 5)), [
    [20],
    ['#STOCKOUT: available must be a number, got "abc"'],
    ['#STOCKOUT: available must not be negative, got "-5"'],
  ]);
  assert.equal(gas.STOCKOUT_DATE(10, 3, ''), '#STOCKOUT: as_of is required');
});

test('date cells are read as the day the sheet shows and come back as date cells', () => {
  const got = gas.STOCKOUT_DATE(10, 3, day('2026-11-25'));
  assert.equal(typeof got.getTime, 'function', 'a date value, not text');
  assert.equal(got.getTime(), day('2026-11-28').getTime()); // midnight in the sheet's zone
  const column = gas.STOCKOUT_DATE(
    [[10], [20], [5]],
    2,
    day('2026-11-25'),
    [[0], [10], ['']],
    [[''], [day('2026-11-27')], ['']],
  );
  assert.deepEqual(plain(column.map((row) => shown(row[0]))), [
    '2026-11-30',
    '2026-12-10',
    '2026-11-27',
  ]);
  // Stock dips under 20 on day 16, before a 30-day order could land: order today.
  assert.equal(shown(gas.REORDER_DATE(100, 5, 30, day('2026-11-25'), 20)), '2026-11-25');
  assert.equal(shown(gas.REORDER_DATE(1000, 5, 30, day('2026-11-25'), 20)), '2027-05-10');
  assert.equal(gas.STOCKOUT_GAP(10, 2, day('2026-11-25'), day('2026-12-15')), 15);
});

test('SALES_VELOCITY reads the Sales tab for a column of SKUs, date cells included', () => {
  const sales = [
    ['Date', 'SKU', 'Units', 'In stock'],
    [day('2026-11-20'), 'A', 4, ''],
    [day('2026-11-21'), 'B', 9, ''],
    [day('2026-11-22'), 'A', 6, false],
    [day('2026-11-23'), 'a', 2, true],
    ['', '', '', ''],
  ];
  const skus = [['A'], ['B'], [''], ['C']];
  const got = gas.SALES_VELOCITY(sales, '', '', '', skus, day('2026-11-25'));
  assert.deepEqual(plain(got), [[1.5], [9 / 4], [''], ['']]);
  assert.equal(gas.SALES_VELOCITY(sales, null, null, null, 'A'), 2);
  const forecast = gas.DEMAND_FORECAST(sales, day('2026-11-25'), '', '', '', [['A'], ['B']]);
  assert.equal(typeof forecast[0][0], 'number');
});

test('serial numbers and ISO text work as dates too; no sales gives a blank date', () => {
  assert.equal(shown(gas.STOCKOUT_DATE(10, 3, 46351)), '2026-11-28');
  assert.equal(shown(gas.STOCKOUT_DATE(10, 3, '2026-11-25')), '2026-11-28');
  assert.equal(gas.STOCKOUT_DATE(10, 0, '2026-11-25'), '');
});

test('a date where a number belongs is named by the day the sheet shows', () => {
  assert.equal(
    gas.DAYS_OF_COVER(day('2026-11-25'), 5),
    '#STOCKOUT: available must be a number, got "2026-11-25"',
  );
});

test('SALES_VELOCITY: a column or a row is one series, a block one series per row', () => {
  const week = [2, 3, 4, 5, 6, 8, 10];
  assert.equal(gas.SALES_VELOCITY(week.map((u) => [u])), gas.Formulas.sales_velocity(week));
  assert.equal(gas.SALES_VELOCITY([week]), gas.Formulas.sales_velocity(week));
  const block = [
    [1, 1, 1],
    ['', '', ''],
    [4, 5, 6],
  ];
  assert.deepEqual(plain(gas.SALES_VELOCITY(block)), [[1], [''], [5]]);
});

test('SALES_VELOCITY: in-stock flags skip stockout days; windows and weights as text', () => {
  const units = [[6], [6], [6], [0], [0]];
  const flags = [[true], [true], ['TRUE'], [false], ['FALSE']];
  assert.equal(gas.SALES_VELOCITY(units, flags), 6);
  assert.equal(gas.SALES_VELOCITY(units, undefined, '2, 5', '1;1'), (0 + 3.6) / 2);
  assert.equal(
    gas.SALES_VELOCITY(
      [
        [1, 2],
        [3, 4],
      ],
      [[true, true]],
    ),
    '#STOCKOUT: in_stock must have one row per row of units',
  );
});

test('ALERT_LEVEL reads warning lines from a range or from "60,30,14" text', () => {
  assert.equal(gas.ALERT_LEVEL(20, 100, '60,30,14'), 'WARNING');
  assert.equal(gas.ALERT_LEVEL(20, 100, [[60], [30], [14]]), 'WARNING');
  assert.deepEqual(plain(gas.ALERT_LEVEL([[3], [''], [40]], [[10], [0], [10]])), [
    ['CRITICAL'],
    ['OUT'],
    ['OK'],
  ]);
});

test('every custom function is documented for autocomplete and not private', () => {
  const source = fs.readFileSync(
    path.resolve(__dirname, '../../../addin/google/CustomFunctions.gs'),
    'utf8',
  );
  for (const custom of Object.values(CELL_FUNCTIONS)) {
    assert.equal(typeof gas[custom], 'function', custom);
    const doc = new RegExp(`@customfunction\\s*\\*/\\s*function ${custom}\\(`);
    assert.match(source, doc, `${custom} needs a JSDoc block with @customfunction`);
  }
});

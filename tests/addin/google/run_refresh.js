'use strict';
/**
 * Runs Stockout menu functions on a workbook given as JSON, in Node with the stand-in for
 * Google's services, and prints every tab afterwards. Used by test_in_sheet_refresh.py to put
 * the in-sheet refresh and the Python refresh side by side on one workbook.
 *
 *   node run_refresh.js book.json   # {"timeZone", "tabs": {name: rows}, "calls": [fn, ...],
 *                                   #  "dir": an Apps Script folder (default addin/google),
 *                                   #  "recalculate": true to compute the formulas after}
 *
 * Cells {"$date": "YYYY-MM-DD"} become date cells (midnight in the sheet's zone, as Sheets
 * stores them), and date cells come back the same way; other values pass through.
 */
const fs = require('node:fs');
const {FakeSpreadsheet, loadGas, parseDate, formatDate} = require('./gas_context');

const book = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const zone = book.timeZone || 'Etc/UTC';
const spreadsheet = new FakeSpreadsheet({timeZone: zone, sheets: book.tabs});
const loaded = loadGas({
  spreadsheet,
  dir: book.dir || undefined,
  props: book.props || {},
  documentProps: book.documentProps || {},
});
for (const sheet of spreadsheet.getSheets()) {
  sheet.values = sheet.values.map((row) =>
    row.map((v) => (v && typeof v === 'object' && v.$date ? loaded.contextDate(parseDate(v.$date, zone, 'yyyy-MM-dd')) : v)),
  );
}
const messages = [];
const started = Date.now();
for (const call of book.calls || ['stockoutRefreshInSheet']) messages.push(loaded.gas[call]());
// "recalculate": compute the formulas the calls wrote, as Sheets would (sheet_formulas.js).
if (book.recalculate) require('./sheet_formulas').recalculate(spreadsheet, loaded);
const seconds = (Date.now() - started) / 1000;
const out = (v) => (Object.prototype.toString.call(v) === '[object Date]' ? {$date: formatDate(v, zone, 'yyyy-MM-dd')} : v);
const tabs = {};
const formats = {}; // {tab: {header: the number format of its first row}}
const notes = {}; // {tab: {header: its note}}
const formulas = {}; // {tab: {"row,column": formula}}
const rules = {}; // {tab: [{values, background, ranges: [[row, column, rows, columns]]}]}
for (const sheet of spreadsheet.getSheets()) {
  tabs[sheet.getName()] = sheet.getDataRange().getValues().map((row) => row.map(out));
  const header = tabs[sheet.getName()][0] || [];
  formulas[sheet.getName()] = sheet.formulas;
  notes[sheet.getName()] = Object.fromEntries(header.map((h, i) => [h, sheet.notes[`1,${i + 1}`] || null]));
  formats[sheet.getName()] = Object.fromEntries(header.map((h, i) => [h, sheet.formats[`2,${i + 1}`] || null]));
  rules[sheet.getName()] = sheet.getConditionalFormatRules().map((rule) => ({
    values: rule.getBooleanCondition().getCriteriaValues(),
    background: rule.getBooleanCondition().background,
    ranges: rule.getRanges().map((r) => [r.getRow(), r.getColumn(), r.getNumRows(), r.getNumColumns()]),
  }));
}
process.stdout.write(
  JSON.stringify({
    messages,
    seconds,
    tabs,
    formats,
    formulas,
    notes,
    rules,
    mails: loaded.mails,
    triggers: loaded.triggers.map((t) => t.spec),
    documentProps: loaded.documentProps,
  }),
);

'use strict';
/**
 * Runs the in-sheet refresh on each workbook of a JSON list (as run_refresh.js does for one) and
 * prints, per workbook, the toast message and the Problems tab. One Node process for many
 * workbooks: the fuzz of tests/addin/test_slips_everywhere.py feeds it sixty.
 */
const fs = require('node:fs');
const {FakeSpreadsheet, loadGas, parseDate} = require('./gas_context');

const books = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const zone = 'Etc/UTC'; // far from the Python side's zone handling, but no historical offsets
const results = books.map((tabs) => {
  const spreadsheet = new FakeSpreadsheet({timeZone: zone, sheets: tabs});
  const loaded = loadGas({spreadsheet});
  for (const sheet of spreadsheet.getSheets()) {
    sheet.values = sheet.values.map((row) =>
      row.map((v) => (v && typeof v === 'object' && v.$date ? loaded.contextDate(parseDate(v.$date, zone, 'yyyy-MM-dd')) : v)),
    );
  }
  const message = loaded.gas.stockoutRefreshInSheet();
  const problems = spreadsheet.sheet('Problems');
  return {message, problems: problems ? problems.getDataRange().getValues() : null};
});
process.stdout.write(JSON.stringify(results));

'use strict';
/**
 * Runs one Stockout menu item in Node exactly as Apps Script would, with UrlFetchApp making real
 * HTTP calls, and prints {message, toasts} as JSON. The end-to-end test in
 * tests/sheets_sync/test_server.py drives it against the real server and the Sheets fake.
 *
 *   STOCKOUT_TEST_PROPS='{"STOCKOUT_SERVER_URL": ..., "STOCKOUT_SERVER_TOKEN": ...}' \
 *   STOCKOUT_TEST_SPREADSHEET=<id> node run_menu.js stockoutRefreshNow
 */
const {FakeSpreadsheet, loadGas} = require('./gas_context');

const item = process.argv[2] || 'stockoutRefreshNow';
const spreadsheet = new FakeSpreadsheet({id: process.env.STOCKOUT_TEST_SPREADSHEET});
const {gas} = loadGas({props: JSON.parse(process.env.STOCKOUT_TEST_PROPS || '{}'), spreadsheet});
const message = gas[item]();
process.stdout.write(JSON.stringify({message, toasts: spreadsheet.toasts.map((t) => t.message)}));

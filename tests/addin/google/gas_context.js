'use strict';
/**
 * Runs the Apps Script files of addin/google in a Node `vm` context, with small fakes of the
 * Google services they touch, so the menu and the custom functions can be tested without Google.
 *
 * Objects created inside the context have the context's own prototypes, which makes
 * assert.deepStrictEqual fail against outside objects: compare through `plain(x)`.
 */
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const {spawnSync} = require('node:child_process');

const GOOGLE_DIR = path.resolve(__dirname, '../../../addin/google');

/** JSON round trip: turns context objects (and Dates, as ISO text) into comparable plain data. */
function plain(value) {
  return JSON.parse(JSON.stringify(value));
}

/** "yyyy-MM-dd" of DATE as seen in time zone TZ (the only format the scripts use). */
function formatDate(date, tz, format) {
  if (format !== 'yyyy-MM-dd') throw new Error('fake Utilities.formatDate: unsupported ' + format);
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: tz,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(date);
  return parts;
}

/** The instant of midnight at the start of the ISO day TEXT in time zone TZ. */
function parseDate(text, tz, format) {
  if (format !== 'yyyy-MM-dd') throw new Error('fake Utilities.parseDate: unsupported ' + format);
  const utc = Date.parse(text + 'T00:00:00Z');
  // Offset of TZ at that instant, found by formatting it there (good away from DST edges).
  const shown = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
  }).formatToParts(new Date(utc));
  const get = (type) => Number(shown.find((p) => p.type === type).value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'));
  return new Date(utc - (asUtc - utc));
}

/** A sheet holding a 2-D array of values; rows and columns are 1-based like Apps Script. */
class FakeSheet {
  constructor(name, values = []) {
    this.name = name;
    this.values = values.map((row) => row.slice());
    this.formats = {};
  }
  getName() {
    return this.name;
  }
  getLastRow() {
    return this.values.length;
  }
  getDataRange() {
    const width = Math.max(1, ...this.values.map((row) => row.length));
    const rows = this.values.length ? this.values : [[]];
    return {
      getValues: () => rows.map((row) => Array.from({length: width}, (_, i) => row[i] ?? '')),
    };
  }
  appendRow(row) {
    this.values.push(row.slice());
    return this;
  }
  getRange(row, column) {
    const sheet = this;
    return {
      setValue(value) {
        while (sheet.values.length < row) sheet.values.push([]);
        const cells = sheet.values[row - 1];
        while (cells.length < column) cells.push('');
        cells[column - 1] = value;
        return this;
      },
      setNumberFormat(format) {
        sheet.formats[`${row},${column}`] = format;
        return this;
      },
    };
  }
}

class FakeSpreadsheet {
  constructor({id = 'sheet-id-123', timeZone = 'Europe/Berlin', sheets = {}} = {}) {
    this.id = id;
    this.timeZone = timeZone;
    this.sheets = Object.entries(sheets).map(([name, values]) => new FakeSheet(name, values));
    this.toasts = [];
  }
  getId() {
    return this.id;
  }
  getSpreadsheetTimeZone() {
    return this.timeZone;
  }
  getSheets() {
    return this.sheets.slice();
  }
  insertSheet(name) {
    const sheet = new FakeSheet(name);
    this.sheets.push(sheet);
    return sheet;
  }
  toast(message, title, seconds) {
    this.toasts.push({message, title, seconds});
  }
  sheet(name) {
    return this.sheets.find((s) => s.name === name);
  }
}

class FakeUi {
  constructor() {
    this.menus = [];
    this.dialogs = [];
  }
  createMenu(title) {
    const menu = {title, items: []};
    this.menus.push(menu);
    const builder = {
      addItem(caption, functionName) {
        menu.items.push({caption, functionName});
        return builder;
      },
      addSeparator() {
        menu.items.push({separator: true});
        return builder;
      },
      addToUi() {
        menu.added = true;
      },
    };
    return builder;
  }
  showModalDialog(html, title) {
    this.dialogs.push({file: html.file, title});
  }
}

const CHILD_FETCH = `
let input = '';
process.stdin.on('data', (chunk) => (input += chunk));
process.stdin.on('end', async () => {
  const req = JSON.parse(input);
  try {
    const res = await fetch(req.url, {
      method: req.method, headers: req.headers, body: req.body, redirect: 'manual',
    });
    process.stdout.write(JSON.stringify({status: res.status, text: await res.text()}));
  } catch (err) {
    process.stdout.write(JSON.stringify({error: String(err.cause || err)}));
  }
});`;

/**
 * UrlFetchApp.fetch is synchronous in Apps Script; here a child `node` makes the real HTTP
 * request while this process waits, so the scripts can call a real server on loopback.
 */
function syncFetch(url, options = {}) {
  const headers = Object.assign({}, options.headers);
  if (options.contentType) headers['Content-Type'] = options.contentType;
  const request = {
    url,
    method: (options.method || 'get').toUpperCase(),
    headers,
    body: options.payload,
  };
  const child = spawnSync(process.execPath, ['-e', CHILD_FETCH], {
    input: JSON.stringify(request),
    encoding: 'utf8',
    timeout: 60000,
  });
  const result = JSON.parse(child.stdout || '{"error": "no answer from the fetch child"}');
  if (result.error) throw new Error('Address unavailable: ' + url + ' (' + result.error + ')');
  if (result.status >= 400 && !options.muteHttpExceptions) {
    throw new Error('Request failed for ' + url + ' returned code ' + result.status);
  }
  return {getResponseCode: () => result.status, getContentText: () => result.text};
}

/**
 * Loads every .gs file into a fresh context. FETCH replaces UrlFetchApp.fetch (default: real
 * HTTP); PROPS are the initial Script Properties; SPREADSHEET is a FakeSpreadsheet.
 */
function loadGas({fetch = syncFetch, props = {}, spreadsheet = new FakeSpreadsheet()} = {}) {
  const ui = new FakeUi();
  const store = Object.assign({}, props);
  // Dates the fakes hand to the scripts must be the context's own, as in Apps Script, or
  // `instanceof Date` inside the scripts would fail.
  const contextDate = (date) => vm.runInContext(`new Date(${date.getTime()})`, context);
  const context = vm.createContext({
    console,
    SpreadsheetApp: {
      getActiveSpreadsheet: () => spreadsheet,
      getActive: () => spreadsheet,
      getUi: () => ui,
    },
    PropertiesService: {
      getScriptProperties: () => ({
        getProperty: (key) => (key in store ? store[key] : null),
        setProperty: (key, value) => {
          store[key] = String(value);
        },
      }),
    },
    UrlFetchApp: {fetch: (url, options) => fetch(url, options)},
    HtmlService: {
      createHtmlOutputFromFile(name) {
        const file = path.join(GOOGLE_DIR, name + '.html');
        if (!fs.existsSync(file)) throw new Error('No HTML file named ' + name + ' was found.');
        const output = {file: name, setWidth: () => output, setHeight: () => output};
        return output;
      },
    },
    Utilities: {formatDate, parseDate: (...args) => contextDate(parseDate(...args))},
    Session: {getScriptTimeZone: () => 'Etc/UTC'},
  });
  for (const file of gsFiles()) {
    vm.runInContext(fs.readFileSync(file, 'utf8'), context, {filename: file});
  }
  return {gas: context, ui, props: store, spreadsheet, contextDate};
}

function gsFiles() {
  return fs
    .readdirSync(GOOGLE_DIR)
    .filter((name) => name.endsWith('.gs'))
    .sort()
    .map((name) => path.join(GOOGLE_DIR, name));
}

module.exports = {GOOGLE_DIR, FakeSpreadsheet, loadGas, plain, syncFetch, formatDate, parseDate};

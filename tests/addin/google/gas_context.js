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
  return parts.padStart(10, '0'); // yyyy: the year 55 is 0055, as Apps Script writes it
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
  const wall = new Date(Date.UTC(2000, get('month') - 1, get('day'), get('hour'), get('minute')));
  wall.setUTCFullYear(get('year')); // Date.UTC would read the years 0-99 as 1900-1999
  const asUtc = wall.getTime();
  return new Date(utc - (asUtc - utc));
}

/**
 * What Sheets stores when a script writes VALUE with setValue(s): like a user typing it.
 * A leading apostrophe marks text (and is not part of the value), `=…` is a formula, numeric
 * text becomes a number and TRUE/FALSE a boolean; Dates, numbers and booleans stay as they are.
 * Returns {value, formula}.
 */
function typed(value) {
  if (typeof value !== 'string') return {value: value === null || value === undefined ? '' : value};
  if (value.startsWith("'")) return {value: value.slice(1)};
  if (value.startsWith('=')) return {value: '', formula: value};
  const text = value.trim();
  if (/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(text)) return {value: Number(text)};
  if (/^(true|false)$/i.test(text)) return {value: text.toLowerCase() === 'true'};
  return {value};
}

/**
 * A sheet holding a 2-D array of values (and the formulas that made some of them); rows and
 * columns are 1-based like Apps Script. `values` and `formulas` are open for tests to inspect.
 */
class FakeSheet {
  constructor(name, values = []) {
    this.name = name;
    this.values = values.map((row) => row.slice());
    this.formulas = {};
    this.formats = {};
    this.backgrounds = {};
    this.notes = {};
    this.weights = {};
    this.frozen = {rows: 0, columns: 0};
    this.rules = []; // conditional format rules, in the order Sheets applies them
    this.maxRows = Math.max(1000, this.values.length);
    this.hidden = false;
  }
  setFrozenRows(rows) {
    this.frozen.rows = rows;
  }
  setFrozenColumns(columns) {
    this.frozen.columns = columns;
  }
  insertRowsAfter(row, count) {
    this.maxRows += count;
    return this;
  }
  /** Rows of the grid (a new sheet has 1000), at least the rows written. */
  getMaxRows() {
    return Math.max(this.maxRows, this.values.length);
  }
  getConditionalFormatRules() {
    return this.rules.slice();
  }
  /** Replaces every rule of the sheet, as Apps Script does. */
  setConditionalFormatRules(rules) {
    this.rules = rules.slice();
  }
  /**
   * The background Sheets shows at (ROW, COLUMN): the first conditional rule whose range holds
   * the cell and whose text equals the cell's wins, else the cell's own fill.
   */
  shownBackground(row, column) {
    const value = this.cell(row, column);
    for (const rule of this.rules) {
      const inside = rule.getRanges().some((r) => r.getRow() <= row && row <= r.getLastRow() &&
        r.getColumn() <= column && column <= r.getLastColumn());
      const condition = rule.getBooleanCondition();
      if (inside && condition.getCriteriaType() === BOOLEAN_CRITERIA.TEXT_EQUAL_TO &&
          String(value) === String(condition.getCriteriaValues()[0])) {
        return condition.background;
      }
    }
    return this.backgrounds[`${row},${column}`] || null;
  }
  getName() {
    return this.name;
  }
  /** The last row (1-based) holding any content, 0 for an empty sheet. */
  getLastRow() {
    for (let r = this.values.length; r > 0; r--) {
      if (this.values[r - 1].some((v) => v !== '' && v !== null && v !== undefined)) return r;
    }
    return 0;
  }
  getLastColumn() {
    let last = 0;
    for (const row of this.values) {
      for (let c = row.length; c > last; c--) {
        if (row[c - 1] !== '' && row[c - 1] !== null && row[c - 1] !== undefined) {
          last = c;
          break;
        }
      }
    }
    return last;
  }
  getDataRange() {
    return this.getRange(1, 1, Math.max(1, this.getLastRow()), Math.max(1, this.getLastColumn()));
  }
  appendRow(row) {
    const at = this.getLastRow() + 1;
    this.getRange(at, 1, 1, row.length).setValues([row]);
    return this;
  }
  hideSheet() {
    this.hidden = true;
    return this;
  }
  isSheetHidden() {
    return this.hidden;
  }
  cell(row, column) {
    const cells = this.values[row - 1];
    const value = cells ? cells[column - 1] : undefined;
    return value === undefined || value === null ? '' : value;
  }
  put(row, column, value) {
    while (this.values.length < row) this.values.push([]);
    const cells = this.values[row - 1];
    while (cells.length < column) cells.push('');
    const stored = typed(value);
    cells[column - 1] = stored.value;
    if (stored.formula) this.formulas[`${row},${column}`] = stored.formula;
    else delete this.formulas[`${row},${column}`];
  }
  /** A Range of NUMROWS × NUMCOLUMNS cells from (ROW, COLUMN); one cell when the sizes are omitted. */
  getRange(row, column, numRows = 1, numColumns = 1) {
    if (row < 1 || column < 1 || numRows < 1 || numColumns < 1) {
      throw new Error('The coordinates of the range are outside the dimensions of the sheet.');
    }
    const sheet = this;
    const each = (fn) => {
      for (let r = 0; r < numRows; r++) for (let c = 0; c < numColumns; c++) fn(r, c);
    };
    const grid = (fn) =>
      Array.from({length: numRows}, (_, r) => Array.from({length: numColumns}, (_, c) => fn(r, c)));
    const checkSize = (rows, what) => {
      if (rows.length !== numRows || rows.some((cells) => cells.length !== numColumns)) {
        const got = `${rows.length} rows × ${rows[0] ? rows[0].length : 0} columns`;
        throw new Error(
          `The number of ${what} in the data does not match the range: ` +
            `data has ${got}, range has ${numRows} × ${numColumns}.`,
        );
      }
    };
    return {
      getValues: () => grid((r, c) => sheet.cell(row + r, column + c)),
      getFormulas: () => grid((r, c) => sheet.formulas[`${row + r},${column + c}`] || ''),
      getValue: () => sheet.cell(row, column),
      setValue(value) {
        each((r, c) => sheet.put(row + r, column + c, value));
        return this;
      },
      setValues(rows) {
        checkSize(rows, 'rows or columns');
        each((r, c) => sheet.put(row + r, column + c, rows[r][c]));
        return this;
      },
      clearContent() {
        each((r, c) => {
          if (sheet.values[row + r - 1] && column + c - 1 < sheet.values[row + r - 1].length) {
            sheet.values[row + r - 1][column + c - 1] = '';
          }
          delete sheet.formulas[`${row + r},${column + c}`];
        });
        return this;
      },
      setNumberFormat(format) {
        each((r, c) => (sheet.formats[`${row + r},${column + c}`] = format));
        return this;
      },
      setBackgrounds(colours) {
        checkSize(colours, 'colours');
        each((r, c) => (sheet.backgrounds[`${row + r},${column + c}`] = colours[r][c]));
        return this;
      },
      setNotes(notes) {
        checkSize(notes, 'notes');
        each((r, c) => (sheet.notes[`${row + r},${column + c}`] = notes[r][c]));
        return this;
      },
      setFontWeight(weight) {
        each((r, c) => (sheet.weights[`${row + r},${column + c}`] = weight));
        return this;
      },
      setBackground(colour) {
        each((r, c) => (sheet.backgrounds[`${row + r},${column + c}`] = colour));
        return this;
      },
      getRow: () => row,
      getColumn: () => column,
      getLastRow: () => row + numRows - 1,
      getLastColumn: () => column + numColumns - 1,
      getSheet: () => sheet,
      getNumRows: () => numRows,
      getNumColumns: () => numColumns,
    };
  }
}

/** SpreadsheetApp.BooleanCriteria: the values a rule's getCriteriaType() gives. */
const BOOLEAN_CRITERIA = Object.freeze({
  TEXT_EQUAL_TO: 'TEXT_EQUAL_TO',
  TEXT_CONTAINS: 'TEXT_CONTAINS',
  NUMBER_LESS_THAN: 'NUMBER_LESS_THAN',
  CUSTOM_FORMULA: 'CUSTOM_FORMULA',
});

/**
 * SpreadsheetApp.newConditionalFormatRule(): the builder of a boolean rule, as documented
 * (whenTextEqualTo, whenNumberLessThan, whenFormulaSatisfied, setBackground, setRanges, build);
 * the rule answers getBooleanCondition() (getCriteriaType, getCriteriaValues) and getRanges().
 */
function newConditionalFormatRule() {
  const spec = {type: null, values: [], background: null, ranges: []};
  const when = (type) => (value) => {
    spec.type = type;
    spec.values = [value];
    return builder;
  };
  const builder = {
    whenTextEqualTo: when(BOOLEAN_CRITERIA.TEXT_EQUAL_TO),
    whenTextContains: when(BOOLEAN_CRITERIA.TEXT_CONTAINS),
    whenNumberLessThan: when(BOOLEAN_CRITERIA.NUMBER_LESS_THAN),
    whenFormulaSatisfied: when(BOOLEAN_CRITERIA.CUSTOM_FORMULA),
    setBackground(colour) {
      spec.background = colour;
      return builder;
    },
    setRanges(ranges) {
      spec.ranges = ranges.slice();
      return builder;
    },
    build() {
      if (!spec.type) throw new Error('Conditional format rule must have a condition.');
      if (!spec.ranges.length) throw new Error('Conditional format rule must have at least one range.');
      const condition = {
        getCriteriaType: () => spec.type,
        getCriteriaValues: () => spec.values.slice(),
        background: spec.background,
      };
      return {getBooleanCondition: () => condition, getRanges: () => spec.ranges.slice()};
    },
  };
  return builder;
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
  /** Exact, case-sensitive name, as in Apps Script; null when there is none. */
  getSheetByName(name) {
    return this.sheets.find((s) => s.name === name) || null;
  }
  insertSheet(name) {
    if (this.getSheetByName(name)) {
      throw new Error(`A sheet with the name "${name}" already exists. Please enter another name.`);
    }
    const sheet = new FakeSheet(name);
    this.sheets.push(sheet);
    return sheet;
  }
  deleteSheet(sheet) {
    this.sheets = this.sheets.filter((s) => s !== sheet);
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
    this.alerts = []; // {title, prompt, buttons} of each ui.alert, in order
    this.answers = []; // what the user clicks in the next alerts (default: the last button)
    this.Button = {OK: 'OK', CANCEL: 'CANCEL', YES: 'YES', NO: 'NO', CLOSE: 'CLOSE'};
    this.ButtonSet = {OK: 'OK', OK_CANCEL: 'OK_CANCEL', YES_NO: 'YES_NO', YES_NO_CANCEL: 'YES_NO_CANCEL'};
  }
  alert(title, prompt, buttons) {
    this.alerts.push({title, prompt, buttons});
    if (this.answers.length) return this.answers.shift();
    return {OK: 'OK', OK_CANCEL: 'CANCEL', YES_NO: 'NO', YES_NO_CANCEL: 'CANCEL'}[buttons || 'OK'];
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
function loadGas({
  dir = GOOGLE_DIR,
  fetch = syncFetch,
  props = {},
  documentProps = {},
  spreadsheet = new FakeSpreadsheet(),
  now = () => Date.now(),
} = {}) {
  const ui = new FakeUi();
  const store = Object.assign({}, props);
  const docStore = Object.assign({}, documentProps);
  const triggers = [];
  const mails = [];
  const lock = {held: false};
  let nextTrigger = 1;
  // Dates the fakes hand to the scripts must be the context's own, as in Apps Script, or
  // `instanceof Date` inside the scripts would fail.
  const contextDate = (date) => vm.runInContext(`new Date(${date.getTime()})`, context);
  const properties = (data) => ({
    getProperty: (key) => (key in data ? data[key] : null),
    setProperty(key, value) {
      data[key] = String(value);
      return this;
    },
    deleteProperty(key) {
      delete data[key];
      return this;
    },
    getProperties: () => Object.assign({}, data),
  });
  /** ScriptApp.newTrigger(fn).timeBased()…create(), recording what a real trigger would hold. */
  const newTrigger = (handler) => {
    const spec = {handler, id: String(nextTrigger++)};
    const clock = {
      everyDays(n) {
        spec.everyDays = n;
        return clock;
      },
      everyHours(n) {
        spec.everyHours = n;
        return clock;
      },
      atHour(h) {
        if (!(h >= 0 && h <= 23)) throw new Error('Invalid argument: hour');
        spec.atHour = h;
        return clock;
      },
      nearMinute(m) {
        spec.nearMinute = m;
        return clock;
      },
      inTimezone(tz) {
        spec.timezone = tz;
        return clock;
      },
      after(ms) {
        spec.afterMs = ms;
        return clock;
      },
      create() {
        if (spec.everyDays === undefined && spec.everyHours === undefined && spec.afterMs === undefined) {
          throw new Error('A time-based trigger needs a recurrence or after(): none was set.');
        }
        if (triggers.length >= 20) {
          throw new Error('This script has too many triggers. Triggers must be deleted from the script before more can be added.');
        }
        const trigger = {
          getHandlerFunction: () => handler,
          getUniqueId: () => spec.id,
          getEventType: () => 'CLOCK',
          spec,
        };
        triggers.push(trigger);
        return trigger;
      },
    };
    return {timeBased: () => clock};
  };
  const context = vm.createContext({
    console,
    SpreadsheetApp: {
      getActiveSpreadsheet: () => spreadsheet,
      getActive: () => spreadsheet,
      getUi: () => ui,
      newConditionalFormatRule,
      BooleanCriteria: BOOLEAN_CRITERIA,
    },
    PropertiesService: {
      getScriptProperties: () => properties(store),
      getDocumentProperties: () => properties(docStore),
    },
    LockService: {
      getDocumentLock: () => ({
        tryLock: () => (lock.held ? false : (lock.held = true)),
        waitLock(ms) {
          if (lock.held) throw new Error('Lock timeout: another process was holding the lock for too long.');
          lock.held = true;
        },
        releaseLock: () => (lock.held = false),
        hasLock: () => lock.held,
      }),
    },
    ScriptApp: {
      newTrigger,
      getProjectTriggers: () => triggers.slice(),
      deleteTrigger(trigger) {
        const at = triggers.indexOf(trigger);
        if (at >= 0) triggers.splice(at, 1);
      },
    },
    MailApp: {
      sendEmail(message) {
        if (typeof message !== 'object' || !message.to || !message.subject) {
          throw new Error('Invalid argument: to and subject are required');
        }
        mails.push(Object.assign({}, message));
      },
      getRemainingDailyQuota: () => 100 - mails.length,
    },
    Session: {
      getScriptTimeZone: () => 'Etc/UTC',
      getEffectiveUser: () => ({getEmail: () => 'seller@example.com'}),
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
    Utilities: {
      formatDate: (date, tz, format) => formatDate(date, tz, format),
      parseDate: (...args) => contextDate(parseDate(...args)),
    },
  });
  // The scripts' own clock: tests may move it to stand in for a slow run.
  vm.runInContext('Date.now = function () { return __now(); };', Object.assign(context, {__now: now}));
  for (const file of gsFiles(dir)) {
    vm.runInContext(fs.readFileSync(file, 'utf8'), context, {filename: file});
  }
  return {gas: context, ui, props: store, documentProps: docStore, spreadsheet, contextDate, triggers, mails, lock};
}

/** The .gs files of an Apps Script project folder (default: addin/google), in name order. */
function gsFiles(dir = GOOGLE_DIR) {
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.gs'))
    .sort()
    .map((name) => path.join(dir, name));
}

module.exports = {GOOGLE_DIR, FakeSpreadsheet, loadGas, plain, syncFetch, formatDate, parseDate};

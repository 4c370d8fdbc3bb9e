/**
 * The "Stockout" menu of the spreadsheet.
 *
 * Everything a seller needs runs in the sheet itself: *Refresh in this sheet* plans every SKU in
 * Apps Script (Refresh.gs) and *Install daily refresh* makes the sheet refresh itself each
 * morning and e-mail the alerts that got worse (Daily.gs). A stockout server is optional, for
 * Amazon report imports and SP-API pulls (its history store) and for sheets too large for Apps
 * Script: its items appear once *Connect a server…* has saved an address and token. The URL and
 * token live in Script Properties, so they never appear in a cell.
 *
 * Functions ending in "_" are private to Apps Script: neither menus nor google.script.run can
 * call them.
 */

var STOCKOUT_URL_KEY = 'STOCKOUT_SERVER_URL';
var STOCKOUT_TOKEN_KEY = 'STOCKOUT_SERVER_TOKEN';
var STOCKOUT_TITLE = 'Stockout';
/** Alert levels in the order a seller reads them: the worst first. */
var STOCKOUT_LEVELS = ['OUT', 'CRITICAL', 'WARNING', 'WATCH', 'NO DATA', 'OK'];
/** A toast is a few lines at most: name only the most urgent SKUs. */
var STOCKOUT_TOAST_URGENT = 3;

/** Adds the Stockout menu when the spreadsheet opens; the server items only when one is set. */
function onOpen() {
  var menu = SpreadsheetApp.getUi()
    .createMenu(STOCKOUT_TITLE)
    .addItem('Refresh in this sheet', 'stockoutRefreshInSheet')
    .addItem('Update as-of date to today', 'stockoutUpdateAsOf')
    .addItem('Add Planner tab (live formulas)', 'stockoutAddPlanner')
    .addSeparator()
    .addItem('Install daily refresh and e-mail alerts', 'stockoutInstallDailyRefresh')
    .addItem('Remove daily refresh', 'stockoutRemoveDailyRefresh')
    .addSeparator();
  var config = stockoutConfig_();
  if (config.url && config.token) {
    menu.addItem('Refresh on the server', 'stockoutRefreshNow').addItem('Server settings…', 'stockoutShowSettings');
  } else {
    menu.addItem('Connect a server (optional)…', 'stockoutShowSettings');
  }
  menu.addToUi();
}

/**
 * Asks the stockout server to refresh this spreadsheet and toasts its summary.
 * Returns the toast text (what the user saw), so callers and tests need not scrape the UI.
 */
function stockoutRefreshNow() {
  var spreadsheet = SpreadsheetApp.getActiveSpreadsheet();
  var config = stockoutConfig_();
  var message;
  if (!config.url || !config.token) {
    message = 'Connect a server first (Stockout > Connect a server…), or use Stockout > Refresh in this sheet.';
  } else {
    spreadsheet.toast('Refreshing… this can take a minute.', STOCKOUT_TITLE, 60);
    message = stockoutCallServer_(config, {spreadsheet: spreadsheet.getId()});
  }
  spreadsheet.toast(message, STOCKOUT_TITLE, 30);
  return message;
}

function stockoutCallServer_(config, body) {
  var response;
  try {
    response = UrlFetchApp.fetch(config.url + '/refresh', {
      method: 'post',
      contentType: 'application/json',
      payload: JSON.stringify(body),
      headers: {Authorization: 'Bearer ' + config.token},
      muteHttpExceptions: true,
      // A redirect would re-send the token to wherever it points; refuse to follow one.
      followRedirects: false,
    });
  } catch (err) {
    return 'Could not reach the stockout server at ' + config.url + ': ' + err.message;
  }
  return stockoutDescribeResponse_(response.getResponseCode(), response.getContentText());
}

/** Turns the server's answer into one short sentence for a toast. */
function stockoutDescribeResponse_(status, text) {
  var body = null;
  try {
    body = JSON.parse(text);
  } catch (err) {
    body = null;
  }
  if (status === 200 && body) {
    return stockoutSummaryText_(body);
  }
  if (status === 202) {
    return 'Still refreshing: ' + (body && body.message ? body.message : 'check again soon') + '.';
  }
  var reason = body && body.error ? body.error : 'the server answered HTTP ' + status;
  if (status === 401) {
    return 'Refresh refused: ' + reason + '. Check the token in Stockout > Server settings…';
  }
  if (status === 409) {
    return 'Not refreshed: ' + reason + '. Try again when it has finished.';
  }
  if (status >= 300 && status < 400) {
    return 'Refresh failed: the server redirected the request; use its https:// address.';
  }
  return 'Refresh failed: ' + reason;
}

/** "Refreshed 40 SKUs: 1 OUT, 2 CRITICAL, 37 OK. 3 problems (Problems tab). Urgent: …" */
function stockoutSummaryText_(summary) {
  var alerts = summary.alerts || {};
  var levels = STOCKOUT_LEVELS.concat(
    Object.keys(alerts).filter(function (level) {
      return STOCKOUT_LEVELS.indexOf(level) < 0;
    }),
  );
  var counts = levels
    .filter(function (level) {
      return alerts[level] > 0;
    })
    .map(function (level) {
      return alerts[level] + ' ' + level;
    });
  var text = 'Refreshed ' + stockoutPlural_(summary.skus || 0, 'SKU');
  text += counts.length ? ': ' + counts.join(', ') + '.' : '.';
  if (summary.problems > 0) {
    text += ' ' + stockoutPlural_(summary.problems, 'problem') + ' (see the Problems tab).';
  }
  var urgent = (summary.urgent || []).slice(0, STOCKOUT_TOAST_URGENT).map(function (item) {
    // The first action with its numbers; the alternatives are on the Alerts tab.
    var action = item.action ? ': ' + String(item.action).split(' · also ')[0] : '';
    return item.sku + ' ' + item.alert + action;
  });
  if (urgent.length) {
    text += ' Urgent: ' + urgent.join('; ') + '.';
  }
  return text;
}

function stockoutPlural_(count, word) {
  return count + ' ' + word + (count === 1 ? '' : 's');
}

/**
 * Writes today's date (in the spreadsheet's time zone) into Settings!as_of, the dated cell the
 * custom functions take: Google recalculates a custom function only when an argument changes,
 * so a function cannot notice on its own that a day has passed.
 */
function stockoutUpdateAsOf() {
  var spreadsheet = SpreadsheetApp.getActiveSpreadsheet();
  var message = 'as_of is now ' + stockoutSetAsOfToday_(spreadsheet) + ' (Settings tab).';
  spreadsheet.toast(message, STOCKOUT_TITLE, 10);
  return message;
}

/** Writes today (in the sheet's zone) into Settings!as_of as a date; returns it as ISO text. */
function stockoutSetAsOfToday_(spreadsheet) {
  var zone = spreadsheet.getSpreadsheetTimeZone();
  var today = Utilities.formatDate(new Date(), zone, 'yyyy-MM-dd');
  var cell = stockoutAsOfCell_(spreadsheet);
  cell.setNumberFormat('yyyy-mm-dd');
  // A date value (midnight in the sheet's zone), not text a locale might parse differently.
  cell.setValue(Utilities.parseDate(today, zone, 'yyyy-MM-dd'));
  return today;
}

/** The Value cell of the as_of row of the Settings tab, adding the tab or the row if missing. */
function stockoutAsOfCell_(spreadsheet) {
  var sheet = stockoutFindSheet_(spreadsheet, 'Settings');
  if (!sheet) {
    sheet = spreadsheet.insertSheet('Settings');
    sheet.appendRow(['Key', 'Value']);
  }
  var values = sheet.getDataRange().getValues();
  var header = values[0].map(stockoutKey_);
  var keyColumn = Math.max(header.indexOf('key'), 0);
  var valueColumn = header.indexOf('value') < 0 ? keyColumn + 1 : header.indexOf('value');
  for (var row = 1; row < values.length; row++) {
    if (stockoutKey_(values[row][keyColumn]) === 'asof') {
      return sheet.getRange(row + 1, valueColumn + 1);
    }
  }
  var newRow = Math.max(sheet.getLastRow(), 1) + 1;
  sheet.getRange(newRow, keyColumn + 1).setValue('as_of');
  return sheet.getRange(newRow, valueColumn + 1);
}

/** Tab names and keys are matched like headers: case-insensitive, ignoring spaces, - and _. */
function stockoutKey_(text) {
  return String(text)
    .toLowerCase()
    .replace(/[\s_-]+/g, '');
}

function stockoutFindSheet_(spreadsheet, name) {
  var wanted = stockoutKey_(name);
  var sheets = spreadsheet.getSheets();
  for (var i = 0; i < sheets.length; i++) {
    if (stockoutKey_(sheets[i].getName()) === wanted) {
      return sheets[i];
    }
  }
  return null;
}

/** Opens the dialog where the server URL and token are set. */
function stockoutShowSettings() {
  var html = HtmlService.createHtmlOutputFromFile('SettingsDialog').setWidth(460).setHeight(300);
  SpreadsheetApp.getUi().showModalDialog(html, 'Stockout server');
}

/** What the dialog shows. The token itself never goes back to the browser. */
function stockoutGetSettings() {
  var config = stockoutConfig_();
  return {url: config.url, hasToken: Boolean(config.token)};
}

/**
 * Saves the dialog's form. An empty token keeps the stored one, so the URL can be changed
 * without retyping the token. Throws (shown in the dialog) when the values cannot work.
 */
function stockoutSaveSettings(form) {
  var url = String(form.url || '')
    .trim()
    .replace(/\/+$/, '');
  if (!/^https:\/\/[^\s/]+/.test(url)) {
    throw new Error('The server URL must start with https:// (the token travels with each click).');
  }
  var token = String(form.token || '').trim();
  var props = PropertiesService.getScriptProperties();
  if (!token && !props.getProperty(STOCKOUT_TOKEN_KEY)) {
    throw new Error('Enter the token the server was started with.');
  }
  props.setProperty(STOCKOUT_URL_KEY, url);
  if (token) {
    props.setProperty(STOCKOUT_TOKEN_KEY, token);
  }
  return stockoutGetSettings();
}

/**
 * Checks from Google's side that the saved server answers and accepts the token for this
 * spreadsheet; returns a sentence for the dialog.
 */
function stockoutTestConnection() {
  var config = stockoutConfig_();
  if (!config.url) {
    return 'Save a server URL first.';
  }
  var response;
  try {
    response = UrlFetchApp.fetch(config.url + '/healthz', {muteHttpExceptions: true, followRedirects: false});
  } catch (err) {
    return 'Google cannot reach ' + config.url + ': ' + err.message;
  }
  if (response.getResponseCode() !== 200) {
    return 'The server answered HTTP ' + response.getResponseCode() + '; check the URL.';
  }
  var id = SpreadsheetApp.getActiveSpreadsheet().getId();
  try {
    response = UrlFetchApp.fetch(config.url + '/check?spreadsheet=' + encodeURIComponent(id), {
      headers: {Authorization: 'Bearer ' + config.token},
      muteHttpExceptions: true,
      followRedirects: false,
    });
  } catch (err) {
    return 'The server answers, but the token check failed: ' + err.message;
  }
  var status = response.getResponseCode();
  if (status === 200) return 'The server answers and accepts the token for this spreadsheet.';
  if (status === 401) return 'The server answers but refuses the token: save the token it was started with.';
  if (status === 403) {
    return 'The server accepts the token but is not set up for this spreadsheet: add its id to STOCKOUT_ALLOWED_SHEETS.';
  }
  if (status === 404) return 'The server answers but is too old to check the token: upgrade stockout-kit on it.';
  return 'The server answered HTTP ' + status + ' to the token check.';
}

function stockoutConfig_() {
  var props = PropertiesService.getScriptProperties();
  return {
    url: (props.getProperty(STOCKOUT_URL_KEY) || '').replace(/\/+$/, ''),
    token: props.getProperty(STOCKOUT_TOKEN_KEY) || '',
  };
}

/**
 * The "Stockout" menu of the spreadsheet.
 *
 * The plan itself (velocity over a year of history, alerts, drafts) runs on the stockout server,
 * because Apps Script has neither pandas nor the history store; the menu only asks the server to
 * refresh this spreadsheet and shows what it says. The server URL and token live in Script
 * Properties, so they never appear in a cell and are not copied with the sheet's data.
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

/** Adds the Stockout menu when the spreadsheet opens. */
function onOpen() {
  SpreadsheetApp.getUi()
    .createMenu(STOCKOUT_TITLE)
    .addItem('Refresh now', 'stockoutRefreshNow')
    .addItem('Update as-of date to today', 'stockoutUpdateAsOf')
    .addSeparator()
    .addItem('Server settings…', 'stockoutShowSettings')
    .addToUi();
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
    message = 'Set the server first: Stockout > Server settings…';
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
  var zone = spreadsheet.getSpreadsheetTimeZone();
  var today = Utilities.formatDate(new Date(), zone, 'yyyy-MM-dd');
  var cell = stockoutAsOfCell_(spreadsheet);
  cell.setNumberFormat('yyyy-mm-dd');
  // A date value (midnight in the sheet's zone), not text a locale might parse differently.
  cell.setValue(Utilities.parseDate(today, zone, 'yyyy-MM-dd'));
  var message = 'as_of is now ' + today + ' (Settings tab).';
  spreadsheet.toast(message, STOCKOUT_TITLE, 10);
  return message;
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

/** Checks from Google's side that the saved server answers; returns a sentence for the dialog. */
function stockoutTestConnection() {
  var config = stockoutConfig_();
  if (!config.url) {
    return 'Save a server URL first.';
  }
  try {
    var response = UrlFetchApp.fetch(config.url + '/healthz', {
      muteHttpExceptions: true,
      followRedirects: false,
    });
    var status = response.getResponseCode();
    return status === 200
      ? 'The server answers.'
      : 'The server answered HTTP ' + status + '; check the URL.';
  } catch (err) {
    return 'Google cannot reach ' + config.url + ': ' + err.message;
  }
}

function stockoutConfig_() {
  var props = PropertiesService.getScriptProperties();
  return {
    url: (props.getProperty(STOCKOUT_URL_KEY) || '').replace(/\/+$/, ''),
    token: props.getProperty(STOCKOUT_TOKEN_KEY) || '',
  };
}

/**
 * Stockout > Install daily refresh: the sheet refreshes itself every morning and e-mails the
 * digest when an alert got worse, with no server and nobody clicking.
 *
 * One time-driven trigger runs stockoutDailyRefresh() once a day (installing again replaces it,
 * so there is never more than one). That run moves Settings!as_of to today, refreshes in the
 * sheet (Refresh.gs) and mails Settings `alert_email_to` through MailApp with the same rule as
 * `stockout refresh --notify`: the level last announced per SKU is remembered (Document
 * Properties), only SKUs whose level got worse since are in the e-mail, a day with nothing worse
 * sends nothing, improvements are remembered at once (a SKU that recovers and falls again is
 * announced again), and a mail that fails keeps the old memory so the news goes out next time.
 */

var STOCKOUT_DAILY = 'stockoutDailyRefresh';
var STOCKOUT_DAILY_HOUR = 7;
var STOCKOUT_NOTIFIED_KEY = 'STOCKOUT_NOTIFIED';
/** A property holds at most 9 kB: the memory is kept in parts of this many characters. */
var STOCKOUT_PROPERTY_CHARS = 8000;
/** Worse is higher. NO DATA is not a level of danger, so it is never announced. */
var STOCKOUT_RANK = {OK: 0, WATCH: 1, WARNING: 2, CRITICAL: 3, OUT: 4};

/** Menu item: installs (or replaces) the daily trigger; returns the toast text. */
function stockoutInstallDailyRefresh() {
  var spreadsheet = SpreadsheetApp.getActiveSpreadsheet();
  var zone = spreadsheet.getSpreadsheetTimeZone();
  stockoutDeleteTriggers_(STOCKOUT_DAILY);
  ScriptApp.newTrigger(STOCKOUT_DAILY)
    .timeBased()
    .everyDays(1)
    .atHour(STOCKOUT_DAILY_HOUR)
    .inTimezone(zone)
    .create();
  var to = stockoutRecipients_(stockoutSettingsValue_(spreadsheet, 'alert_email_to'));
  var message =
    'Daily refresh installed: every morning between ' + STOCKOUT_DAILY_HOUR + ' and ' +
    (STOCKOUT_DAILY_HOUR + 1) + " o'clock (" + zone + ') as_of moves to today and the tabs refresh; ' +
    (to.length
      ? 'an e-mail goes to ' + to.join(', ') + ' when an alert got worse.'
      : 'set alert_email_to on the Settings tab to get an e-mail when an alert gets worse.');
  spreadsheet.toast(message, STOCKOUT_TITLE, 30);
  return message;
}

/** Menu item: removes the daily trigger. */
function stockoutRemoveDailyRefresh() {
  var removed = stockoutDeleteTriggers_(STOCKOUT_DAILY);
  var message = removed ? 'Daily refresh removed.' : 'There was no daily refresh to remove.';
  SpreadsheetApp.getActiveSpreadsheet().toast(message, STOCKOUT_TITLE, 10);
  return message;
}

/**
 * The daily trigger's run: refresh as of today, move as_of to today, e-mail what got worse. A
 * refused refresh (a renamed tab or header) leaves as_of as it was and is e-mailed too: no one
 * sees a trigger's toast, and a plan that silently stopped updating is the slip that costs the
 * most.
 */
function stockoutDailyRefresh() {
  var spreadsheet = SpreadsheetApp.getActiveSpreadsheet();
  var today = Utilities.formatDate(new Date(), spreadsheet.getSpreadsheetTimeZone(), 'yyyy-MM-dd');
  var run = stockoutRunRefresh_({asOf: today, notify: true});
  // A refused refresh leaves every tab as it was, Settings!as_of included.
  if (!run.refused) stockoutSetAsOfToday_(spreadsheet);
  var to = stockoutRecipients_(stockoutSettingsValue_(spreadsheet, 'alert_email_to'));
  if (!run.refused || !to.length) return run.message;
  try {
    MailApp.sendEmail({
      to: to.join(','),
      subject: 'Stockout: the daily refresh did not run',
      body: run.message + '\n\nAlerts and Drafts still show the last refresh. Fix the workbook and ' +
        'choose Stockout > Refresh in this sheet, or wait for tomorrow\'s run.',
    });
    return run.message + ' E-mailed ' + to.join(', ') + '.';
  } catch (err) {
    return run.message + ' E-mail not sent: ' + err.message;
  }
}

/** A Settings value as typed (null when the key is not there). */
function stockoutSettingsValue_(spreadsheet, name) {
  var sheet = stockoutFindSheet_(spreadsheet, 'Settings');
  if (!sheet) return null;
  var rows = sheet.getDataRange().getValues();
  for (var i = 1; i < rows.length; i++) {
    if (stockoutKey_(rows[i][0]) === stockoutKey_(name)) return rows[i][1];
  }
  return null;
}

function stockoutRecipients_(text) {
  return String(text || '')
    .split(/[,;\s]+/)
    .filter(Boolean);
}

function stockoutWorse_(level, than) {
  return level in STOCKOUT_RANK && STOCKOUT_RANK[level] > (STOCKOUT_RANK[than || 'OK'] || 0);
}

/** The levels last announced per SKU (a SKU not in it was last OK). */
function stockoutLoadNotified_() {
  var props = PropertiesService.getDocumentProperties();
  var parts = Number(props.getProperty(STOCKOUT_NOTIFIED_KEY) || 0);
  var text = '';
  for (var i = 0; i < parts; i++) text += props.getProperty(STOCKOUT_NOTIFIED_KEY + '_' + i) || '';
  try {
    return text ? JSON.parse(text) : {};
  } catch (err) {
    return {};
  }
}

function stockoutSaveNotified_(levels) {
  var props = PropertiesService.getDocumentProperties();
  var old = Number(props.getProperty(STOCKOUT_NOTIFIED_KEY) || 0);
  var text = JSON.stringify(levels);
  var parts = Math.ceil(text.length / STOCKOUT_PROPERTY_CHARS);
  for (var i = 0; i < parts; i++) {
    props.setProperty(STOCKOUT_NOTIFIED_KEY + '_' + i, text.slice(i * STOCKOUT_PROPERTY_CHARS, (i + 1) * STOCKOUT_PROPERTY_CHARS));
  }
  for (var j = parts; j < old; j++) props.deleteProperty(STOCKOUT_NOTIFIED_KEY + '_' + j);
  props.setProperty(STOCKOUT_NOTIFIED_KEY, String(parts));
}

/**
 * E-mails the digest of the SKUs whose alert got worse since the last notice (notify.send_alerts
 * for the e-mail channel). Never throws: returns the lines a user reads.
 */
function stockoutNotify_(plan) {
  var to = stockoutRecipients_(plan.raw.alert_email_to);
  if (!to.length) return ['No alert e-mail: set alert_email_to on the Settings tab to get one.'];
  var last = stockoutLoadNotified_();
  var worse = plan.skus.filter(function (s) {
    return stockoutWorse_(s.alert, last[s.sku]);
  });
  var delivered = true;
  var lines = [];
  if (!worse.length) {
    lines.push('No alert got worse since the last e-mail.');
  } else {
    var context = Object.assign(
      {as_of: plan.as_of, currency: stockoutSetting_(plan.raw, 'currency', 'USD')},
      stockoutDigestContext_(worse, last),
      {total: plan.skus.length},
    );
    var language = String(stockoutSetting_(plan.raw, 'sheet_language', 'en'));
    var message = stockoutMessage_('alert_digest', language, context);
    try {
      if (!message.body) throw new Error(message.warnings.join('; ') || 'empty digest');
      MailApp.sendEmail({to: to.join(','), subject: message.subject || 'Stockout alerts', body: message.body});
      lines.push('E-mailed ' + to.join(', ') + ': ' + worse.length + ' SKU(s) got worse.');
    } catch (err) {
      delivered = false;
      lines.push('Alert e-mail not sent: ' + err.message);
    }
  }
  var remembered = {};
  plan.skus.forEach(function (s) {
    if (!(s.alert in STOCKOUT_RANK)) return;
    var level = delivered || !stockoutWorse_(s.alert, last[s.sku]) ? s.alert : last[s.sku] || 'OK';
    if (level !== 'OK') remembered[s.sku] = level;
  });
  stockoutSaveNotified_(remembered);
  return lines;
}

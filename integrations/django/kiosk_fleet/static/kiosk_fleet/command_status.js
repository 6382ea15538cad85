// The command page follows its deliveries by polling a small JSON view: the counts per
// state, and only the rows of the page on screen that changed since the previous poll.
// It stops once every delivery is terminal. Text from kiosks (reasons) is only ever set
// with textContent. Words come from the server, in the admin's language: the rows' stateText,
// lateText and screenshotAlt, and the page's data-text-* attributes.
(function () {
  'use strict';

  function setCells(tr, row, screenshots) {
    var cells = tr.children;
    if (cells.length < 7) return;
    cells[2].textContent = row.stateText || (row.state + (row.waitingFor ? ' (waiting for ' + row.waitingFor + ')' : ''));
    cells[2].className = 'kiosk-fleet-state-' + row.state;
    cells[3].textContent = row.reason || '';
    cells[4].textContent = row.ms === null || row.ms === undefined ? '' : String(row.ms);
    cells[5].textContent = row.updatedText || '';
    cells[6].textContent = (row.note || '') + (row.late ? ' ' + (row.lateText || 'answered ' + row.late + ' after the expiry') : '');
    if (screenshots && cells[7] && row.screenshot && !cells[7].querySelector('img')) {
      var link = document.createElement('a');
      link.href = row.screenshot;
      var img = document.createElement('img');
      img.className = 'kiosk-fleet-shot';
      img.src = row.screenshot;
      img.alt = row.screenshotAlt || 'Screenshot of ' + row.kiosk;
      link.appendChild(img);
      cells[7].appendChild(link);
    }
  }

  function start() {
    var main = document.getElementById('content-main');
    if (!main || main.getAttribute('data-settled') === 'true') return;
    var base = main.getAttribute('data-progress-url');
    var since = main.getAttribute('data-since');
    var every = Number(main.getAttribute('data-poll-seconds') || '2') * 1000;
    var screenshots = main.getAttribute('data-screenshots') === 'true';
    var live = document.getElementById('kiosk-fleet-live');
    var finalText = main.getAttribute('data-text-final') || 'every kiosk has answered or expired: final';
    var retryingText = main.getAttribute('data-text-retrying') || 'updating… (the last update failed; retrying)';
    var rowsByKiosk = {};
    document.querySelectorAll('#kiosk-fleet-rows tbody tr[data-kiosk]').forEach(function (tr) {
      rowsByKiosk[tr.getAttribute('data-kiosk')] = tr;
    });

    function poll() {
      var url = base + (base.indexOf('?') < 0 ? '?' : '&') + 'since=' + encodeURIComponent(since);
      fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
        .then(function (response) {
          if (!response.ok) throw new Error('HTTP ' + response.status);
          return response.json();
        })
        .then(function (data) {
          since = data.now;
          Object.keys(data.counts).forEach(function (state) {
            var td = document.getElementById('count-' + state);
            if (td) td.textContent = String(data.counts[state]);
          });
          document.getElementById('kiosk-fleet-summary').textContent = data.summary;
          data.rows.forEach(function (row) {
            var tr = rowsByKiosk[row.kiosk];
            if (tr) setCells(tr, row, screenshots);
          });
          if (data.settled) {
            main.setAttribute('data-settled', 'true');
            live.textContent = finalText;
            return;
          }
          setTimeout(poll, every);
        })
        .catch(function () {
          live.textContent = retryingText;
          setTimeout(poll, every * 2);
        });
    }
    setTimeout(poll, every);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();

// The command page follows its deliveries by polling a small JSON view (counts per state
// and the rows of the page on screen), and stops once every delivery is terminal. Text
// from kiosks (reasons) is only ever set with textContent.
(function () {
  'use strict';

  function cell(tr, text, className) {
    var td = document.createElement('td');
    if (className) td.className = className;
    if (text !== null && text !== undefined) td.textContent = String(text);
    tr.appendChild(td);
    return td;
  }

  function renderRows(tbody, rows, screenshots) {
    var fragment = document.createDocumentFragment();
    rows.forEach(function (row) {
      var tr = document.createElement('tr');
      tr.setAttribute('data-kiosk', row.kiosk);
      var kiosk = cell(tr, row.kioskUrl ? null : row.kiosk);
      if (row.kioskUrl) {
        var a = document.createElement('a');
        a.href = row.kioskUrl;
        a.textContent = row.kiosk;
        kiosk.appendChild(a);
      }
      cell(tr, row.name);
      cell(tr, row.state + (row.waitingFor ? ' (waiting for ' + row.waitingFor + ')' : ''), 'kiosk-fleet-state-' + row.state);
      cell(tr, row.reason);
      cell(tr, row.ms === null ? '' : row.ms);
      cell(tr, row.updatedText);
      cell(tr, (row.note || '') + (row.late ? ' answered ' + row.late + ' after the expiry' : ''));
      if (screenshots) {
        var shot = cell(tr, null);
        if (row.screenshot) {
          var link = document.createElement('a');
          link.href = row.screenshot;
          var img = document.createElement('img');
          img.className = 'kiosk-fleet-shot';
          img.src = row.screenshot;
          img.alt = 'Screenshot of ' + row.kiosk;
          link.appendChild(img);
          shot.appendChild(link);
        }
      }
      fragment.appendChild(tr);
    });
    if (rows.length === 0) return; // keep the server's "no kiosk" row
    tbody.replaceChildren(fragment);
  }

  function start() {
    var main = document.getElementById('content-main');
    if (!main || main.getAttribute('data-settled') === 'true') return;
    var url = main.getAttribute('data-progress-url');
    var every = Number(main.getAttribute('data-poll-seconds') || '2') * 1000;
    var screenshots = main.getAttribute('data-screenshots') === 'true';
    var tbody = document.querySelector('#kiosk-fleet-rows tbody');
    var live = document.getElementById('kiosk-fleet-live');

    function poll() {
      fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
        .then(function (response) {
          if (!response.ok) throw new Error('HTTP ' + response.status);
          return response.json();
        })
        .then(function (data) {
          Object.keys(data.counts).forEach(function (state) {
            var td = document.getElementById('count-' + state);
            if (td) td.textContent = String(data.counts[state]);
          });
          document.getElementById('kiosk-fleet-summary').textContent = data.summary;
          renderRows(tbody, data.rows, screenshots);
          if (data.settled) {
            main.setAttribute('data-settled', 'true');
            live.textContent = 'every kiosk has answered or expired: final';
            return;
          }
          setTimeout(poll, every);
        })
        .catch(function () {
          live.textContent = 'updating… (the last update failed; retrying)';
          setTimeout(poll, every * 2);
        });
    }
    setTimeout(poll, every);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();

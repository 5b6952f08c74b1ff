// LeadPredict's page: upload a CSV, show the ranked table, filter, search, download.
// Every lead value is rendered with textContent (never innerHTML), so a lead cannot inject markup.
(() => {
  'use strict';
  const $ = id => document.getElementById(id);
  const state = { header: [], rows: [], csv: null, idIndex: 1, url: null };

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  // RFC 4180 parser; the separator is the ranked file's (the upload's) separator.
  function parseCsv(text) {
    const first = text.split('\n', 1)[0];
    const sep = [',', ';', '\t', '|'].map(s => [s, first.split(s).length]).sort((a, b) => b[1] - a[1])[0][0];
    const rows = []; let row = []; let field = ''; let quoted = false;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (quoted) {
        if (c === '"') { if (text[i + 1] === '"') { field += '"'; i++; } else quoted = false; }
        else field += c;
      } else if (c === '"') quoted = true;
      else if (c === sep) { row.push(field); field = ''; }
      else if (c === '\n' || c === '\r') {
        if (c === '\r' && text[i + 1] === '\n') i++;
        row.push(field); field = '';
        if (row.length > 1 || row[0] !== '') rows.push(row);
        row = [];
      } else field += c;
    }
    if (field !== '' || row.length) { row.push(field); rows.push(row); }
    return rows;
  }

  // When the host requires an API key, /api calls answer 401: ask for the key once, keep it for this tab only.
  function apiFetch(url, options) {
    const opts = Object.assign({}, options || {});
    opts.headers = Object.assign({}, opts.headers || {});
    const key = sessionStorage.getItem('leadpredict-api-key');
    if (key) opts.headers['X-Api-Key'] = key;
    return fetch(url, opts).then(r => {
      if (r.status === 401) {
        $('key-form').classList.remove('hidden');
        $('status').textContent = key ? 'The API key was not accepted' : 'This host needs an API key';
      }
      return r;
    });
  }

  function col(name) { return state.header.indexOf(name); }

  function showError(message) {
    const e = $('error');
    e.textContent = message;
    e.classList.toggle('hidden', !message);
  }

  // The host percent-encodes the warnings header (a header carries only ASCII); decode it back to the text.
  function showWarnings(header) {
    let text = '';
    if (header) { try { text = decodeURIComponent(header); } catch (_) { text = header; } }
    const w = $('warnings');
    w.textContent = text ? 'Warnings: ' + text : '';
    w.classList.toggle('hidden', !text);
  }

  async function loadCard() {
    try {
      const r = await apiFetch('/api/v1/model');
      if (r.status === 401) return;
      if (!r.ok) { $('status').textContent = 'No model loaded yet'; return; }
      const m = await r.json();
      const c = m.card;
      // A model trained on a timeline: its probability is of converting within its horizon of the date a lead is scored as of.
      $('status').textContent = 'Model ' + c.version + (c.time ? ' · probability = converts within ' + c.time.horizonDays + ' days' : '');
      const fields = [
        ['Version', c.version],
        ['Trained', new Date(c.trainedAt).toLocaleString()],
        ['Data', c.dataFile.split(/[\\/]/).pop()],
        ['Rows', c.rows + ' (' + c.positives + ' converted)'],
        ['Holdout', c.holdoutMethod + ', ' + c.holdoutRows + ' rows'],
        ['AUC', fixed(c.holdout.auc, 3)],
        ['PR-AUC', fixed(c.holdout.prAuc, 3)],
        ['Brier', fixed(c.holdout.brier, 4)],
        ['Base rate', (c.holdout.baseRate * 100).toFixed(1) + '%'],
        ...(c.time ? [
          ['Probability', 'converts within ' + c.time.horizonDays + ' days of the as-of date'],
          ['History to', c.time.exportDate.slice(0, 10)],
          ['Cut-off', (c.time.cutoff || '').slice(0, 10) + ', gap ' + c.time.gapDays + ' days'],
          ['Examples', c.time.examples + ' snapshots of ' + c.time.leads + ' leads (' + c.time.censored + ' censored)'],
        ] : []),
        ['Grades', 'A ≥ ' + pct(c.grades.a) + ', B ≥ ' + pct(c.grades.b) + ', C ≥ ' + pct(c.grades.c)],
        ['Loaded', new Date(m.loadedAt).toLocaleString()],
      ];
      const dl = $('card-fields');
      dl.replaceChildren();
      for (const [k, v] of fields) { dl.appendChild(el('dt', k)); dl.appendChild(el('dd', v)); }
    } catch (e) { $('status').textContent = 'Cannot reach the host'; }
  }

  function pct(x) { return Math.round(x * 100) + '%'; }

  // Undefined metrics arrive as the string "NaN" (JSON has no NaN).
  function fixed(x, digits) { return typeof x === 'number' && isFinite(x) ? x.toFixed(digits) : 'n/a'; }

  async function rank(ev) {
    ev.preventDefault();
    const file = $('file').files[0];
    if (!file) return;
    showError('');
    showWarnings('');
    $('rank').disabled = true; $('rank').textContent = 'Ranking…';
    try {
      const r = await apiFetch('/api/v1/score/csv', { method: 'POST', headers: { 'Content-Type': 'text/csv' }, body: file });
      if (!r.ok) {
        let detail = r.status + ' ' + r.statusText;
        try { const p = await r.json(); detail = p.detail || p.title || detail; } catch (_) { }
        showError('Could not rank the file: ' + detail);
        return;
      }
      showWarnings(r.headers.get('X-Scoring-Warnings'));
      const text = await r.text();
      const rows = parseCsv(text);
      state.header = rows[0]; state.rows = rows.slice(1); state.csv = text;
      if (state.url) URL.revokeObjectURL(state.url);
      state.url = URL.createObjectURL(new Blob([text], { type: 'text/csv' }));
      $('download').href = state.url;
      $('download').classList.remove('hidden');
      buildActionFilter();
      render();
      loadCard();
    } catch (e) {
      showError('Could not reach the host: ' + e.message);
    } finally {
      $('rank').disabled = false; $('rank').textContent = 'Rank leads';
    }
  }

  function buildActionFilter() {
    const a = col('action');
    const select = $('action');
    select.replaceChildren(el('option', 'all'));
    select.firstChild.value = '';
    $('action-filter').classList.toggle('hidden', a < 0);
    if (a < 0) return;
    for (const v of [...new Set(state.rows.map(r => r[a]).filter(v => v))].sort()) {
      const o = el('option', v); o.value = v; select.appendChild(o);
    }
  }

  function render() {
    const h = state.header;
    const grade = col('grade'), action = col('action'), icp = col('icp_fit'), reasons = col('top_reasons');
    const stage = col('suggested_stage'), current = col('stage'), why = col('reason'), company = col('company', 1);
    const companyAt = h.indexOf('company');
    const wantGrade = $('grade').value, wantAction = $('action').value, q = $('search').value.trim().toLowerCase();
    const shown = ['rank', h[1], 'probability', 'grade'];
    if (icp >= 0) shown.push('ICP');
    if (stage >= 0) shown.push(current >= 0 ? 'stage → suggested' : 'suggested stage');
    if (action >= 0) shown.push('action');
    if (companyAt >= 0) shown.push('company');
    shown.push('reasons');
    const head = $('head');
    head.replaceChildren(...shown.map(t => el('th', t)));
    const body = $('rows');
    const frag = document.createDocumentFragment();
    let n = 0;
    for (const r of state.rows) {
      if (wantGrade && r[grade] !== wantGrade) continue;
      if (wantAction && r[action] !== wantAction) continue;
      if (q && !(r[1].toLowerCase().includes(q) || (companyAt >= 0 && r[companyAt].toLowerCase().includes(q)))) continue;
      n++;
      const tr = el('tr');
      tr.appendChild(el('td', r[0], 'num'));
      tr.appendChild(el('td', r[1], 'id'));
      tr.appendChild(el('td', (parseFloat(r[2]) * 100).toFixed(1) + '%', 'num'));
      const g = el('td'); g.appendChild(el('span', r[grade], 'grade grade-' + (/^[ABCD]$/.test(r[grade]) ? r[grade] : 'D'))); tr.appendChild(g);
      if (icp >= 0) {
        const v = (r[icp] || '').toLowerCase();
        const cls = ['pass', 'yes', 'true', 'fit'].includes(v) ? 'fit' : ['fail', 'no', 'false', 'no fit'].includes(v) ? 'nofit' : v === 'partial' ? 'partial' : 'unknown';
        const td = el('td'); const b = el('span', r[icp] || '?', 'badge ' + cls);
        const failed = col('icp_failed');
        if (failed >= 0 && r[failed]) b.title = r[failed];
        td.appendChild(b); tr.appendChild(td);
      }
      if (stage >= 0) {
        const from = current >= 0 ? r[current] : '', to = r[stage];
        tr.appendChild(el('td', from && to && from !== to ? from + ' → ' + to : (to || from)));
      }
      if (action >= 0) { const td = el('td', r[action]); if (why >= 0 && r[why]) td.title = r[why]; tr.appendChild(td); }
      if (companyAt >= 0) tr.appendChild(el('td', r[companyAt]));
      const td = el('td');
      const list = (r[reasons] || '').split(' | ').filter(x => x);
      if (list.length) {
        const d = el('details'); d.appendChild(el('summary', list[0] + (list.length > 1 ? '  (+' + (list.length - 1) + ' more)' : '')));
        d.title = list.join('\n');
        const ul = el('ul');
        for (const x of list) ul.appendChild(el('li', x, x.startsWith('▲') ? 'up' : 'down'));
        d.appendChild(ul); td.appendChild(d);
      }
      tr.appendChild(td);
      frag.appendChild(tr);
    }
    body.replaceChildren(frag);
    $('count').textContent = n + ' of ' + state.rows.length + ' leads';
    $('leads').classList.remove('hidden');
    $('filters').classList.remove('hidden');
  }

  $('file').addEventListener('change', () => { $('rank').disabled = !$('file').files.length; });
  $('upload').addEventListener('submit', rank);
  for (const id of ['grade', 'action']) $(id).addEventListener('change', render);
  $('search').addEventListener('input', render);
  $('key-form').addEventListener('submit', ev => {
    ev.preventDefault();
    sessionStorage.setItem('leadpredict-api-key', $('api-key').value);
    $('api-key').value = '';
    $('key-form').classList.add('hidden');
    loadCard();
  });
  loadCard();
})();

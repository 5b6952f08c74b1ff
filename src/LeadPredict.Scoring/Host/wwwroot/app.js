// LeadPredict's page: upload a CSV (for a timeline model: the leads table and its history), show the ranked leads (typed JSON
// from /api/v1/score/csv?format=json), filter, search, download the ranked CSV.
// Every lead value is rendered with textContent (never innerHTML), so a lead cannot inject markup.
(() => {
  'use strict';
  const $ = id => document.getElementById(id);
  const state = { leads: [], answer: null, upload: null, url: null, card: null, timeline: false };

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
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
      state.card = c;
      showTimeline(!!c.time);
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

  // A model trained on a timeline ranks the leads open as of a date from the leads table and its history's tables.
  function showTimeline(on) {
    state.timeline = on;
    $('history').classList.toggle('hidden', !on);
    $('file-label').textContent = on ? 'Leads table (CSV)' : "Today's lead list (CSV)";
    const note = $('history-note');
    note.textContent = on
      ? 'Send the leads table and its activity log (the stage history adds stage odds, days in stage and stalled leads; outcomes leave out leads already closed). ' +
        'The open leads are ranked as of the date (default: the latest time in the files).'
      : '';
    note.classList.toggle('hidden', !on);
  }

  function pct(x) { return Math.round(x * 100) + '%'; }

  // Undefined metrics arrive as the string "NaN" (JSON has no NaN).
  function fixed(x, digits) { return typeof x === 'number' && isFinite(x) ? x.toFixed(digits) : 'n/a'; }

  // The files of one ranking, kept so that the ranked CSV can be fetched for the same upload later.
  function snapshot() {
    const files = { leads: $('file').files[0] };
    if (state.timeline) for (const id of ['activities', 'stages', 'outcomes']) if ($(id).files[0]) files[id] = $(id).files[0];
    return { files, asOf: state.timeline ? $('as-of').value : '' };
  }

  function post(upload, format) {
    const q = new URLSearchParams({ format });
    if (format === 'json') q.set('top', '10000');
    if (upload.asOf) q.set('asOf', upload.asOf);
    let body, headers = {};
    if (state.timeline) {
      body = new FormData();
      for (const [part, file] of Object.entries(upload.files)) body.append(part, file, file.name);
    } else { body = upload.files.leads; headers = { 'Content-Type': 'text/csv' }; }
    return apiFetch('/api/v1/score/csv?' + q, { method: 'POST', headers, body });
  }

  async function problem(r) {
    let detail = r.status + ' ' + r.statusText;
    try { const p = await r.json(); detail = p.detail || p.title || detail; } catch (_) { }
    return detail;
  }

  async function rank(ev) {
    ev.preventDefault();
    const file = $('file').files[0];
    if (!file) return;
    showError('');
    showWarnings('');
    $('rank').disabled = true; $('rank').textContent = 'Ranking…';
    try {
      const upload = snapshot();
      const r = await post(upload, 'json');
      if (!r.ok) { showError('Could not rank the file: ' + await problem(r)); return; }
      const answer = await r.json();
      state.upload = upload; state.answer = answer; state.leads = answer.leads;
      showWarnings(r.headers.get('X-Scoring-Warnings'));
      if (state.url) URL.revokeObjectURL(state.url);
      state.url = null;
      $('download').href = '#';
      $('download').classList.remove('hidden');
      showMeaning(answer);
      buildActionFilter();
      $('stalled-filter').classList.toggle('hidden', !answer.learnedFunnel);
      render();
      loadCard();
    } catch (e) {
      showError('Could not reach the host: ' + e.message);
    } finally {
      $('rank').disabled = false; $('rank').textContent = 'Rank leads';
    }
  }

  // The ranked CSV of the same upload, fetched when asked for (the table came as JSON).
  async function download(ev) {
    if (state.url) return;
    ev.preventDefault();
    if (!state.upload) return;
    const a = $('download');
    a.textContent = 'Preparing the CSV…';
    try {
      const r = await post(state.upload, 'csv');
      if (!r.ok) { showError('Could not rank the file: ' + await problem(r)); return; }
      state.url = URL.createObjectURL(await r.blob());
      a.href = state.url;
      a.click();
    } catch (e) {
      showError('Could not reach the host: ' + e.message);
    } finally { a.textContent = 'Download ranked CSV'; }
  }

  // What the probability means: for a timeline model, converting within its horizon of the as-of date.
  function showMeaning(answer) {
    const m = $('meaning');
    const c = state.card;
    let text;
    if (answer.asOf) {
      text = 'As of ' + answer.asOf.slice(0, 16).replace('T', ' ') + ' UTC: probability = converting within ' + (c && c.time ? c.time.horizonDays : '') +
        ' days of that date' + (answer.withinDays && answer.withinDays.length > 1 ? ' (the ≤ ' + answer.withinDays.slice(0, -1).join(' and ≤ ') + ' days columns: within fewer days)' : '') +
        '; ' + answer.count + ' open leads.';
    } else {
      text = 'Probability = the chance a lead converts, learned from ' + (c ? c.rows + ' past leads (' + (c.holdout.baseRate * 100).toFixed(1) + '% converted)' : 'past leads') +
        '; ' + answer.count + ' leads.';
    }
    if (answer.shown < answer.count) text += ' Showing the best ' + answer.shown + '; the CSV has them all.';
    m.textContent = text;
    m.classList.remove('hidden');
  }

  function note(lead, key) { return lead.annotations ? lead.annotations[key] : undefined; }

  function buildActionFilter() {
    const select = $('action');
    select.replaceChildren(el('option', 'all'));
    select.firstChild.value = '';
    const actions = [...new Set(state.leads.map(l => note(l, 'action')).filter(v => v))].sort();
    $('action-filter').classList.toggle('hidden', actions.length === 0);
    for (const v of actions) { const o = el('option', v); o.value = v; select.appendChild(o); }
  }

  function render() {
    const leads = state.leads;
    const has = key => leads.some(l => note(l, key) !== undefined);
    const icp = has('icp_fit'), stage = has('suggested_stage'), current = has('stage'), action = has('action');
    const within = (state.answer.withinDays || []).slice(0, -1);
    const funnel = state.answer.learnedFunnel;
    const company = leads.some(l => l.values && l.values.company !== undefined);
    const wantGrade = $('grade').value, wantAction = $('action').value, stalledOnly = $('stalled').checked, q = $('search').value.trim().toLowerCase();
    const shown = ['rank', 'lead', 'probability', 'grade', ...within.map(d => '≤ ' + d + ' days')];
    if (funnel) shown.push('odds of the next stage', 'days in stage');
    if (icp) shown.push('ICP');
    if (stage) shown.push(current ? 'stage → suggested' : 'suggested stage');
    if (action) shown.push('action');
    if (company) shown.push('company');
    shown.push('reasons');
    $('head').replaceChildren(...shown.map(t => el('th', t)));
    const frag = document.createDocumentFragment();
    let n = 0;
    for (const l of leads) {
      const p = l.progress;
      if (wantGrade && l.grade !== wantGrade) continue;
      if (wantAction && note(l, 'action') !== wantAction) continue;
      if (stalledOnly && !(p && p.stalled)) continue;
      const name = company && l.values ? (l.values.company || '') : '';
      if (q && !(l.id.toLowerCase().includes(q) || name.toLowerCase().includes(q))) continue;
      n++;
      const tr = el('tr');
      tr.appendChild(el('td', l.rank, 'num'));
      tr.appendChild(el('td', l.id, 'id'));
      tr.appendChild(el('td', (l.probability * 100).toFixed(1) + '%', 'num'));
      const g = el('td'); g.appendChild(el('span', l.grade, 'grade grade-' + (/^[ABCD]$/.test(l.grade) ? l.grade : 'D'))); tr.appendChild(g);
      for (let k = 0; k < within.length; k++) tr.appendChild(el('td', l.within ? (l.within[k].probability * 100).toFixed(1) + '%' : '', 'num'));
      if (funnel) {
        const odds = el('td', '', 'odds');
        const days = el('td', '', 'days');
        if (p) {
          odds.appendChild(el('span', p.stage + ' → ' + p.nextStage + ' '));
          odds.appendChild(el('strong', pct(p.odds)));
          odds.appendChild(el('span', ' (avg ' + pct(p.averageOdds) + ')', 'muted'));
          odds.title = 'Chance of reaching ' + p.nextStage + ' within ' + p.horizonDays + ' days' + (p.daysInStage !== null && p.daysInStage !== undefined ? ', after ' + Math.round(p.daysInStage) + ' days in ' + p.stage : '') +
            '; ' + pct(p.averageOdds) + ' for a lead entering ' + p.stage + '.';
          if (p.daysInStage !== null && p.daysInStage !== undefined) {
            days.appendChild(el('span', Math.round(p.daysInStage) + ' d' + (p.medianDays !== null && p.medianDays !== undefined ? ' (median ' + Math.round(p.medianDays) + ')' : '')));
            if (p.stalled) { days.appendChild(document.createTextNode(' ')); days.appendChild(el('span', 'stalled', 'badge stalled')); }
            if (p.stalledFromDays !== null && p.stalledFromDays !== undefined) days.title = 'Stalled from ' + Math.round(p.stalledFromDays) + ' days in ' + p.stage + ' (3× the median stay)';
          }
        }
        tr.appendChild(odds); tr.appendChild(days);
      }
      if (icp) {
        const fit = note(l, 'icp_fit') || '';
        const v = fit.toLowerCase();
        const cls = ['pass', 'yes', 'true', 'fit'].includes(v) ? 'fit' : ['fail', 'no', 'false', 'no fit'].includes(v) ? 'nofit' : v === 'partial' ? 'partial' : 'unknown';
        const td = el('td'); const b = el('span', fit || '?', 'badge ' + cls);
        if (note(l, 'icp_failed')) b.title = note(l, 'icp_failed');
        td.appendChild(b); tr.appendChild(td);
      }
      if (stage) {
        const from = current ? note(l, 'stage') || '' : '', to = note(l, 'suggested_stage') || '';
        tr.appendChild(el('td', from && to && from !== to ? from + ' → ' + to : (to || from)));
      }
      if (action) { const td = el('td', note(l, 'action')); if (note(l, 'reason')) td.title = note(l, 'reason'); tr.appendChild(td); }
      if (company) tr.appendChild(el('td', name));
      const td = el('td');
      const list = l.reasons || [];
      if (list.length) {
        const d = el('details'); d.appendChild(el('summary', list[0].text + (list.length > 1 ? '  (+' + (list.length - 1) + ' more)' : '')));
        d.title = list.map(x => x.text).join('\n');
        const ul = el('ul');
        for (const x of list) ul.appendChild(el('li', x.text, x.effect >= 0 ? 'up' : 'down'));
        d.appendChild(ul); td.appendChild(d);
      }
      tr.appendChild(td);
      frag.appendChild(tr);
    }
    $('rows').replaceChildren(frag);
    $('count').textContent = n + ' of ' + leads.length + ' leads';
    $('leads').classList.remove('hidden');
    $('filters').classList.remove('hidden');
  }

  $('file').addEventListener('change', () => { $('rank').disabled = !$('file').files.length; });
  $('upload').addEventListener('submit', rank);
  $('download').addEventListener('click', download);
  for (const id of ['grade', 'action', 'stalled']) $(id).addEventListener('change', render);
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

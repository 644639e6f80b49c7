// kworkbook serve: live exercise cards (server-sent events), hint
// buttons and copy buttons. Plain JavaScript, no build step; the page
// works without it, only not live.
'use strict';
(function () {
  const d = document.body.dataset;

  // A copy button on each code block of the lesson.
  for (const pre of document.querySelectorAll('.prose pre')) {
    const wrap = document.createElement('div');
    wrap.className = 'codeblock';
    pre.parentNode.insertBefore(wrap, pre);
    wrap.appendChild(pre);
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'copy';
    b.textContent = d.copy;
    b.setAttribute('aria-label', d.copyLabel);
    b.addEventListener('click', async () => {
      const text = pre.innerText.replace(/\n+$/, '');
      try {
        await navigator.clipboard.writeText(text);
      } catch (e) {
        const ta = document.createElement('textarea');
        ta.value = text;
        ta.setAttribute('readonly', '');
        ta.className = 'offscreen';
        document.body.appendChild(ta);
        ta.select();
        document.execCommand('copy');
        ta.remove();
      }
      b.textContent = d.copied;
      setTimeout(() => { b.textContent = d.copy; }, 1500);
    });
    wrap.appendChild(b);
  }

  const problem = document.getElementById('problem');
  const say = (html) => { if (problem) problem.innerHTML = html; };

  // Hint buttons reveal the next step in place (the form posts without
  // the script, and the page comes back).
  document.addEventListener('submit', async (ev) => {
    const f = ev.target;
    if (!(f instanceof HTMLFormElement) || !f.classList.contains('hint-form')) return;
    ev.preventDefault();
    const btn = f.querySelector('button');
    btn.disabled = true;
    try {
      const r = await fetch(f.action, {
        method: 'POST',
        body: new URLSearchParams(new FormData(f)),
        headers: { 'Accept': 'application/json' },
        credentials: 'same-origin',
      });
      if (!r.ok) throw new Error(String(r.status));
      const data = await r.json();
      const box = document.getElementById('hints-' + data.exercise);
      const tpl = document.createElement('template');
      tpl.innerHTML = data.html;
      const fresh = tpl.content.firstElementChild;
      box.replaceWith(fresh);
      const items = fresh.querySelectorAll('.hint-list > li');
      const last = items[items.length - 1];
      if (last) {
        last.tabIndex = -1;
        last.focus();
      }
    } catch (e) {
      btn.disabled = false;
      const p = document.createElement('p');
      p.textContent = d.hintFailed;
      say(p.outerHTML);
    }
  });

  // Live status: cards, the exercise list and the picture follow the
  // cluster. EventSource reconnects by itself (the server sends retry:).
  if (!d.events) return;
  const conn = document.getElementById('conn');
  const setConn = (state, text) => {
    if (!conn) return;
    conn.dataset.state = state;
    conn.textContent = text;
  };
  const label = (state) => d['state' + state.charAt(0).toUpperCase() + state.slice(1)] || state;
  const es = new EventSource(d.events);
  es.addEventListener('open', () => setConn('live', d.live));
  es.addEventListener('error', () => {
    if (es.readyState === EventSource.CLOSED) setConn('gone', d.gone);
    else setConn('reconnecting', d.reconnecting);
  });
  es.addEventListener('verdict', (e) => {
    const v = JSON.parse(e.data);
    for (const el of document.querySelectorAll('[data-exercise]')) {
      if (el.dataset.exercise !== v.exercise) continue;
      el.dataset.state = v.state;
      const l = el.querySelector(':scope > .state-label');
      if (l) l.textContent = label(v.state);
    }
    const st = document.getElementById('status-' + v.exercise);
    if (st) st.innerHTML = v.html;
  });
  es.addEventListener('picture', (e) => {
    const el = document.getElementById('picture');
    if (el) el.innerHTML = JSON.parse(e.data).html;
  });
  es.addEventListener('problem', (e) => say(JSON.parse(e.data).html));
})();

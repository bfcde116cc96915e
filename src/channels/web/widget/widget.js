// @ts-check
/**
 * The refund assistant's website widget. Embed with
 *   <script src="https://HOST/widget.js" data-locale="auto" async></script>
 * It adds a launcher button and a chat panel inside a shadow root (the page's styles are not
 * touched), talks to the conversation API of the host that served it (SPEC §6), follows the
 * conversation live over server-sent events, and keeps the conversation id and token in
 * localStorage so a reload or another tab shows the same conversation.
 *
 * Hand-written ES2020, no build step, no dependencies. Every piece of message text is rendered
 * with textContent; links are made only for http(s) URLs.
 */
(() => {
  'use strict';

  /**
   * @typedef {{ title: string, value: string }} Action
   * @typedef {{ id: string, orderId?: string, category?: string, outcome: string, amount: number, currency: string, status: string, clauses?: string[] }} CaseSummary
   * @typedef {{ contentType?: string, name?: string, size?: number }} AttachmentInfo
   * @typedef {{
   *   type?: string, from: { role: 'bot' | 'user' | 'agent', name?: string }, text?: string, locale?: string,
   *   attachments?: AttachmentInfo[], suggestedActions?: { actions: Action[] },
   *   channelData?: { awaiting?: string, case?: CaseSummary }
   * }} Activity
   * @typedef {{ id: string, token: string }} Stored
   * @typedef {{ file: File, url: string }} Picked
   * @typedef {'en' | 'zh-CN' | 'zh-TW'} Locale
   */

  if (/** @type {any} */ (window).__refundbotWidget) return;
  /** @type {any} */ (window).__refundbotWidget = true;

  const script = /** @type {HTMLScriptElement | null} */ (document.currentScript || document.querySelector('script[src*="widget.js"]'));
  const BASE = new URL(script && script.src ? script.src : location.href).origin;
  /** A logged-in customer's signed token from the shop (data-customer-token): skips the ownership question. */
  const CUSTOMER_TOKEN = (script && script.dataset.customerToken) || '';
  // One stored conversation per customer: a different customer logging in on this browser starts afresh.
  const STORE_KEY = 'refundbot:conversation:' + BASE + (CUSTOMER_TOKEN ? ':' + customerOf(CUSTOMER_TOKEN) : '');

  /** The customer id a token names (read, not verified: the server verifies). @param {string} token */
  function customerOf(token) {
    try {
      const payload = token.split('.')[0].replace(/-/g, '+').replace(/_/g, '/');
      return String(JSON.parse(atob(payload)).sub || '');
    } catch (_) {
      return '';
    }
  }
  const OPEN_KEY = 'refundbot:open';
  const TYPES = ['image/jpeg', 'image/png', 'image/webp', 'application/pdf'];
  const MAX_BYTES = 10 * 1024 * 1024;
  const MAX_FILES = 5;
  const MAX_TEXT = 4000;
  /** Tries per message (a lost connection, a server error, a short rate limit), and the longest Retry-After waited for. */
  const SEND_ATTEMPTS = 4;
  const MAX_RETRY_WAIT_S = 10;

  /** @type {Record<Locale, Record<string, string>>} */
  const STRINGS = {
    en: {
      open: 'Open refund chat', close: 'Close chat', title: 'Refund assistant', log: 'Conversation',
      input: 'Message', placeholder: 'Type a message…', send: 'Send', attach: 'Attach photos or PDF',
      remove: 'Remove {name}', typing: 'The assistant is typing…', tooBig: '{name} is larger than 10 MB.',
      badType: '{name} is not a JPEG, PNG, WebP or PDF file.', tooMany: 'At most 5 files per message.',
      failed: 'Your message could not be sent. Please try again.', offline: 'Reconnecting…',
      slowDown: 'Too many messages. Please wait {seconds} seconds and send it again.',
      agent: '{name} (support)', you: 'You', bot: 'Assistant', restart: 'Start a new conversation',
      caseTitle: 'Case {id}', amount: 'Refund', status: 'Status', clauses: 'Policy', rate: 'Rate this conversation',
      stars: '{n} of 5 stars', drop: 'Drop photos or a PDF here', uploading: 'Sending… {pct}%', actions: 'Suggested replies',
      'status.approved': 'Approved', 'status.pending_review': 'Under review', 'status.escalated': 'With a person',
      'status.denied': 'Not refundable', 'status.refunded': 'Refunded', 'status.cancelled': 'Cancelled',
      'outcome.review': 'To be decided',
    },
    'zh-CN': {
      open: '打开退款客服', close: '关闭对话', title: '退款助手', log: '对话记录',
      input: '消息', placeholder: '输入消息…', send: '发送', attach: '添加照片或 PDF',
      remove: '移除 {name}', typing: '助手正在输入…', tooBig: '{name} 超过 10 MB。',
      badType: '{name} 不是 JPEG、PNG、WebP 或 PDF 文件。', tooMany: '每条消息最多 5 个文件。',
      failed: '消息发送失败，请重试。', offline: '正在重新连接…',
      slowDown: '消息太频繁了，请等 {seconds} 秒后再发送。',
      agent: '{name}（客服）', you: '我', bot: '助手', restart: '开始新的对话',
      caseTitle: '工单 {id}', amount: '退款', status: '状态', clauses: '政策条款', rate: '为本次对话评分',
      stars: '{n} 星（共 5 星）', drop: '将照片或 PDF 拖到这里', uploading: '正在发送… {pct}%', actions: '建议回复',
      'status.approved': '已批准', 'status.pending_review': '审核中', 'status.escalated': '已转人工',
      'status.denied': '不予退款', 'status.refunded': '已退款', 'status.cancelled': '已取消',
      'outcome.review': '待定',
    },
    'zh-TW': {
      open: '開啟退款客服', close: '關閉對話', title: '退款助理', log: '對話紀錄',
      input: '訊息', placeholder: '輸入訊息…', send: '傳送', attach: '加入照片或 PDF',
      remove: '移除 {name}', typing: '助理正在輸入…', tooBig: '{name} 超過 10 MB。',
      badType: '{name} 不是 JPEG、PNG、WebP 或 PDF 檔案。', tooMany: '每則訊息最多 5 個檔案。',
      failed: '訊息傳送失敗，請再試一次。', offline: '正在重新連線…',
      slowDown: '訊息太頻繁了，請等 {seconds} 秒後再傳送。',
      agent: '{name}（客服）', you: '我', bot: '助理', restart: '開始新的對話',
      caseTitle: '案件 {id}', amount: '退款', status: '狀態', clauses: '政策條款', rate: '為本次對話評分',
      stars: '{n} 星（共 5 星）', drop: '將照片或 PDF 拖曳到這裡', uploading: '正在傳送… {pct}%', actions: '建議回覆',
      'status.approved': '已核准', 'status.pending_review': '審核中', 'status.escalated': '已轉真人',
      'status.denied': '不予退款', 'status.refunded': '已退款', 'status.cancelled': '已取消',
      'outcome.review': '待定',
    },
  };

  /** @param {string | null | undefined} tag @returns {Locale} */
  function pickLocale(tag) {
    const value = (tag || '').toLowerCase();
    if (value.startsWith('zh')) return /tw|hk|mo|hant/.test(value) ? 'zh-TW' : 'zh-CN';
    return 'en';
  }
  const wanted = script && script.dataset.locale;
  /** @type {Locale} */
  const LOCALE = wanted && wanted !== 'auto' ? pickLocale(wanted) : pickLocale((navigator.languages && navigator.languages[0]) || navigator.language);

  /** @param {string} key @param {Record<string, string | number>} [vars] */
  function t(key, vars) {
    const text = STRINGS[LOCALE][key] || STRINGS.en[key] || key;
    return text.replace(/\{(\w+)\}/g, (_, name) => (vars && name in vars ? String(vars[name]) : ''));
  }

  // ---- DOM helpers -------------------------------------------------------------------------

  /**
   * @template {keyof HTMLElementTagNameMap} K
   * @param {K} tag @param {Record<string, string>} [attrs] @param {(Node | string)[]} [children]
   * @returns {HTMLElementTagNameMap[K]}
   */
  function h(tag, attrs, children) {
    const node = document.createElement(tag);
    if (attrs) for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
    if (children) for (const child of children) node.append(typeof child === 'string' ? document.createTextNode(child) : child);
    return node;
  }

  const ICONS = {
    chat: 'M4 4h16v12H8l-4 4z',
    close: 'M6 6l12 12M18 6L6 18',
    clip: 'M16 7l-7.5 7.5a2 2 0 0 0 3 3L19 10a4 4 0 0 0-6-6l-7.5 7.5a6 6 0 0 0 9 9L20 15',
  };
  /** A small stroked icon (no emoji: storefront machines may lack emoji fonts). @param {keyof typeof ICONS} name */
  function icon(name) {
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('class', 'icon');
    const path = document.createElementNS(ns, 'path');
    path.setAttribute('d', ICONS[name]);
    svg.append(path);
    return svg;
  }

  /** Text with http(s) links made clickable; everything else stays plain text. @param {string} text */
  function richText(text) {
    const out = document.createDocumentFragment();
    const pattern = /\bhttps?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)）。，]/gi;
    let last = 0;
    for (const match of text.matchAll(pattern)) {
      const index = /** @type {number} */ (match.index);
      out.append(document.createTextNode(text.slice(last, index)));
      const link = safeLink(match[0]);
      out.append(link || document.createTextNode(match[0]));
      last = index + match[0].length;
    }
    out.append(document.createTextNode(text.slice(last)));
    return out;
  }

  /** @param {string} href */
  function safeLink(href) {
    try {
      const url = new URL(href);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
      const a = h('a', { href: url.href, target: '_blank', rel: 'noopener noreferrer nofollow' });
      a.textContent = href;
      return a;
    } catch {
      return null;
    }
  }

  /** @param {number} amount @param {string} currency */
  function money(amount, currency) {
    try {
      return new Intl.NumberFormat(LOCALE, { style: 'currency', currency, currencyDisplay: 'narrowSymbol' }).format(amount);
    } catch {
      return amount.toFixed(2) + ' ' + currency;
    }
  }

  // ---- Styles and skeleton -----------------------------------------------------------------

  const CSS = `
:host{all:initial}
*{box-sizing:border-box;font:14px/1.45 system-ui,-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei",sans-serif;color:#1d2330}
[hidden]{display:none!important}
button{cursor:pointer;border:1px solid #c5cddb;background:#fff;border-radius:16px;padding:6px 12px}
button:hover{background:#f0f3f8}
:focus-visible{outline:3px solid #1a73e8;outline-offset:2px}
.launcher{position:fixed;right:20px;bottom:20px;z-index:2147483646;width:56px;height:56px;border-radius:50%;border:0;background:#1d4ed8;color:#fff;font-size:26px;box-shadow:0 4px 14px #0004;padding:0}
.launcher:hover{background:#1e40af}
.panel{position:fixed;right:20px;bottom:88px;z-index:2147483647;width:370px;max-width:calc(100vw - 24px);height:560px;max-height:calc(100vh - 110px);background:#fff;border-radius:14px;box-shadow:0 10px 40px #0003;display:flex;flex-direction:column;overflow:hidden}
.head{display:flex;align-items:center;gap:8px;background:#1d4ed8;padding:10px 12px}
.head h2{flex:1;margin:0;font-size:16px;font-weight:600;color:#fff}
.head button{background:transparent;border-color:#ffffff80;color:#fff;padding:4px 10px}
.head button:hover{background:#ffffff22}
.log{flex:1;overflow-y:auto;padding:12px;background:#f6f7fb}
.row{display:flex;flex-direction:column;align-items:flex-start;margin:6px 0}
.row.user{align-items:flex-end}
.who{font-size:12px;color:#5b6475;margin:0 4px 2px}
.bubble{max-width:85%;padding:8px 12px;border-radius:12px;background:#fff;border:1px solid #e3e7ef;white-space:pre-wrap;overflow-wrap:anywhere}
.user .bubble{background:#1d4ed8;border-color:#1d4ed8;color:#fff}
.user .bubble a{color:#fff}
.agent .bubble{background:#fff7e6;border-color:#f3d08a}
.pending .bubble{opacity:.6}
.file{display:block;font-size:13px}
.card{margin-top:6px;max-width:85%;border:1px solid #c9d2e3;border-left:4px solid #1d4ed8;border-radius:8px;background:#fff;padding:8px 10px}
.card.approved,.card.refunded{border-left-color:#16a34a}.card.denied,.card.cancelled{border-left-color:#dc2626}.card.pending_review,.card.escalated{border-left-color:#d97706}
.card h3{margin:0 0 4px;font-size:13px;font-weight:600}
.card dl{margin:0;display:grid;grid-template-columns:auto 1fr;gap:2px 10px}
.card dt{color:#5b6475;font-size:13px}.card dd{margin:0;font-size:13px;font-weight:600}
.typing{font-size:13px;color:#5b6475;padding:0 14px 6px;background:#f6f7fb}
.typing span{display:inline-block;animation:blink 1.2s infinite}
@keyframes blink{50%{opacity:.2}}
.actions{display:flex;flex-wrap:wrap;gap:6px;padding:8px 12px;border-top:1px solid #e3e7ef}
.stars button{font-size:20px;line-height:1;padding:4px 6px;border-radius:8px;color:#d97706}
.files{display:flex;flex-wrap:wrap;gap:6px;padding:6px 12px 0}
.chip{display:flex;align-items:center;gap:4px;border:1px solid #c5cddb;border-radius:8px;padding:3px;font-size:12px;max-width:160px}
.chip img{width:36px;height:36px;object-fit:cover;border-radius:4px}
.chip span{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.chip button{padding:0 6px;border-radius:6px}
.note{font-size:12px;color:#b42318;padding:4px 12px 0}
.progress{height:3px;background:#1d4ed8;transition:width .2s}
form{display:flex;gap:6px;padding:10px 12px;border-top:1px solid #e3e7ef}
textarea{flex:1;resize:none;height:40px;border:1px solid #c5cddb;border-radius:10px;padding:9px 10px}
form button{border-radius:10px}
.send{background:#1d4ed8;border-color:#1d4ed8;color:#fff}
.send:hover{background:#1e40af}
.drop{position:absolute;inset:0;background:#1d4ed8dd;color:#fff;display:flex;align-items:center;justify-content:center;font-size:16px}
.icon{width:18px;height:18px;fill:none;stroke:currentColor;stroke-width:2;stroke-linecap:round;stroke-linejoin:round;vertical-align:-3px}
.launcher .icon{width:26px;height:26px}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
`;

  const host = h('div', { id: 'refundbot-widget' });
  const root = host.attachShadow({ mode: 'open' });
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    root.adoptedStyleSheets = [sheet];
  } catch {
    root.append(h('style', {}, [CSS]));
  }

  const launcher = h('button', { class: 'launcher', type: 'button', 'aria-label': t('open'), 'aria-expanded': 'false', 'aria-controls': 'rb-panel' }, [icon('chat')]);
  const title = h('h2', { id: 'rb-title' }, [t('title')]);
  const restartButton = h('button', { type: 'button', 'aria-label': t('restart'), title: t('restart') }, ['↺']);
  const closeButton = h('button', { type: 'button', 'aria-label': t('close'), title: t('close') }, [icon('close')]);
  const log = h('div', { class: 'log', role: 'log', 'aria-live': 'polite', 'aria-label': t('log'), tabindex: '0' });
  const typing = h('div', { class: 'typing', role: 'status', hidden: '' }, [t('typing') + ' ', h('span', {}, ['● ● ●'])]);
  const status = h('div', { class: 'note', role: 'alert', hidden: '' });
  const actions = h('div', { class: 'actions', role: 'group', 'aria-label': t('actions'), hidden: '' });
  const files = h('div', { class: 'files', hidden: '' });
  const progress = h('div', { class: 'progress', hidden: '' });
  const fileInput = h('input', { type: 'file', accept: TYPES.join(','), multiple: '', class: 'sr', tabindex: '-1', 'aria-hidden': 'true' });
  const attachButton = h('button', { type: 'button', class: 'attach', 'aria-label': t('attach'), title: t('attach'), hidden: '' }, [icon('clip')]);
  const input = h('textarea', { 'aria-label': t('input'), placeholder: t('placeholder'), maxlength: String(MAX_TEXT), rows: '1' });
  const sendButton = h('button', { type: 'submit', class: 'send' }, [t('send')]);
  const form = h('form', {}, [attachButton, fileInput, input, sendButton]);
  const dropZone = h('div', { class: 'drop', hidden: '' }, [t('drop')]);
  const panel = h('div', { class: 'panel', id: 'rb-panel', role: 'dialog', 'aria-labelledby': 'rb-title', hidden: '' }, [
    h('div', { class: 'head' }, [title, restartButton, closeButton]),
    log, typing, actions, files, status, progress, form, dropZone,
  ]);
  panel.lang = LOCALE;
  root.append(launcher, panel);

  // ---- State -------------------------------------------------------------------------------

  /** @type {Stored | null} */
  let conversation = null;
  let lastSeq = 0;
  let busy = 0;
  /** @type {Activity | null} the newest bot/agent activity (its suggested actions and awaiting) */
  let latest = null;
  /** @type {Picked[]} */
  let picked = [];
  /** @type {EventSource | null} */
  let stream = null;
  /** @type {Promise<Stored> | null} */
  let starting = null;

  /** @returns {Stored | null} */
  function loadStored() {
    try {
      const value = JSON.parse(localStorage.getItem(STORE_KEY) || 'null');
      return value && typeof value.id === 'string' && typeof value.token === 'string' ? { id: value.id, token: value.token } : null;
    } catch {
      return null;
    }
  }

  /** @param {Stored | null} value */
  function saveStored(value) {
    try {
      if (value) localStorage.setItem(STORE_KEY, JSON.stringify(value));
      else localStorage.removeItem(STORE_KEY);
    } catch {
      /* storage blocked: the conversation lasts as long as the page */
    }
  }

  // ---- Rendering ---------------------------------------------------------------------------

  /** @param {Activity} activity */
  function who(activity) {
    if (activity.from.role === 'agent') return t('agent', { name: activity.from.name || '' });
    return activity.from.role === 'user' ? t('you') : t('bot');
  }

  /** @param {Activity} activity @param {boolean} [pending] */
  function renderActivity(activity, pending) {
    const role = activity.from.role === 'agent' ? 'agent' : activity.from.role === 'user' ? 'user' : 'bot';
    const row = h('div', { class: 'row ' + role + (pending ? ' pending' : '') });
    row.append(h('div', { class: 'who' }, [who(activity)]));
    const bubble = h('div', { class: 'bubble' });
    if (activity.text) bubble.append(richText(activity.text));
    for (const attachment of activity.attachments || []) {
      bubble.append(h('span', { class: 'file' }, [icon('clip'), ' ' + (attachment.name || 'file')]));
    }
    if (bubble.childNodes.length) row.append(bubble);
    const summary = activity.channelData && activity.channelData.case;
    if (summary) row.append(renderCase(summary));
    if (pending && activity.from.role === 'user') row.dataset.pending = '1';
    log.append(row);
    log.scrollTop = log.scrollHeight;
  }

  /** @param {CaseSummary} summary */
  function renderCase(summary) {
    const card = h('div', { class: 'card ' + summary.status, role: 'group', 'aria-label': t('caseTitle', { id: summary.id }) });
    const amount = summary.outcome === 'review' && !summary.amount ? t('outcome.review') : money(Number(summary.amount) || 0, summary.currency);
    const statusText = STRINGS[LOCALE]['status.' + summary.status] ? t('status.' + summary.status) : summary.status;
    card.append(
      h('h3', {}, [t('caseTitle', { id: summary.id })]),
      h('dl', {}, [
        h('dt', {}, [t('amount')]), h('dd', { class: 'amount' }, [amount]),
        h('dt', {}, [t('status')]), h('dd', { class: 'status' }, [statusText]),
        h('dt', {}, [t('clauses')]), h('dd', { class: 'clauses' }, [(summary.clauses || []).join(', ')]),
      ]),
    );
    return card;
  }

  /** Suggested actions of the newest bot message, stars when it asks for a rating, the picker when it asks for proof. */
  function renderControls() {
    actions.textContent = '';
    const list = (latest && latest.suggestedActions && latest.suggestedActions.actions) || [];
    const awaiting = latest && latest.channelData && latest.channelData.awaiting;
    actions.classList.toggle('stars', awaiting === 'csat');
    if (awaiting === 'csat') actions.setAttribute('aria-label', t('rate'));
    else actions.setAttribute('aria-label', t('actions'));
    for (const action of list) {
      const isStar = awaiting === 'csat' && /^[1-5]$/.test(action.value);
      const button = h('button', { type: 'button' }, [isStar ? '★'.repeat(Number(action.value)) : action.title]);
      if (isStar) button.setAttribute('aria-label', t('stars', { n: action.value }));
      button.addEventListener('click', () => void send(action.value, []));
      actions.append(button);
    }
    actions.hidden = list.length === 0 || busy > 0;
    const evidence = awaiting === 'evidence';
    attachButton.hidden = !evidence && picked.length === 0;
    log.scrollTop = log.scrollHeight;
  }

  /** @param {Activity} activity @param {number} seq */
  function accept(activity, seq) {
    if (seq <= lastSeq) return;
    lastSeq = seq;
    if (activity.from.role === 'user') {
      const pending = log.querySelector('[data-pending]');
      if (pending) pending.remove();
    } else {
      latest = activity;
    }
    renderActivity(activity);
    renderControls();
  }

  /** @param {string} message */
  function showNote(message) {
    status.textContent = message;
    status.hidden = !message;
  }

  // ---- Server ------------------------------------------------------------------------------

  /**
   * @param {string} method @param {string} path @param {unknown} [body] @param {string} [token]
   * @param {(pct: number) => void} [onProgress] @param {string} [idempotencyKey]
   * @returns {Promise<{ status: number, body: any, retryAfter: number }>}
   */
  function call(method, path, body, token, onProgress, idempotencyKey) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open(method, BASE + path);
      if (token) xhr.setRequestHeader('authorization', 'Bearer ' + token);
      if (body !== undefined) xhr.setRequestHeader('content-type', 'application/json');
      if (idempotencyKey) xhr.setRequestHeader('idempotency-key', idempotencyKey);
      if (onProgress) xhr.upload.onprogress = (event) => event.lengthComputable && onProgress(Math.round((100 * event.loaded) / event.total));
      xhr.onload = () => {
        let parsed = null;
        try {
          parsed = JSON.parse(xhr.responseText);
        } catch {
          /* not JSON */
        }
        resolve({ status: xhr.status, body: parsed, retryAfter: Number(xhr.getResponseHeader('retry-after')) || 0 });
      };
      xhr.onerror = () => reject(new Error('network'));
      xhr.send(body === undefined ? null : JSON.stringify(body));
    });
  }

  /** @returns {Promise<Stored>} */
  async function ensureConversation() {
    if (conversation) return conversation;
    starting = starting || (async () => {
      const response = await call('POST', '/v1/conversations', CUSTOMER_TOKEN ? { locale: LOCALE, customerToken: CUSTOMER_TOKEN } : { locale: LOCALE });
      if (response.status !== 201) throw new Error('start ' + response.status);
      const created = { id: String(response.body.conversationId), token: String(response.body.token) };
      saveStored(created);
      return created;
    })();
    try {
      conversation = await starting;
    } finally {
      starting = null;
    }
    await catchUp();
    follow();
    return conversation;
  }

  /** Everything after lastSeq, from the history API. Answers false when the conversation is gone. */
  async function catchUp() {
    if (!conversation) return true;
    const current = conversation;
    const response = await call('GET', '/v1/conversations/' + encodeURIComponent(current.id) + '/activities?watermark=' + lastSeq, undefined, current.token);
    if (response.status === 401 || response.status === 404) return false;
    if (response.status !== 200 || conversation !== current) return true;
    const list = /** @type {Activity[]} */ (response.body.activities);
    const start = Number(response.body.watermark) - list.length;
    list.forEach((activity, index) => accept(activity, start + index + 1));
    return true;
  }

  /** Live updates: SSE from lastSeq; the browser reconnects by itself with Last-Event-ID. */
  function follow() {
    if (stream) stream.close();
    if (!conversation || typeof EventSource === 'undefined') return;
    const url = BASE + '/v1/conversations/' + encodeURIComponent(conversation.id) + '/stream?watermark=' + lastSeq + '&access_token=' + encodeURIComponent(conversation.token);
    const source = new EventSource(url);
    stream = source;
    source.addEventListener('activity', (event) => {
      const message = /** @type {MessageEvent} */ (event);
      try {
        accept(JSON.parse(message.data), Number(message.lastEventId));
        showNote('');
      } catch {
        /* ignore a malformed event */
      }
    });
    source.onopen = () => showNote('');
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) {
        // The server refused (token no longer valid) or gave up: check, then start again later.
        setTimeout(() => void resume(), 5000);
      } else if (!navigator.onLine) showNote(t('offline'));
    };
  }

  async function resume() {
    if (!conversation) return;
    try {
      if (!(await catchUp())) return restart();
      follow();
    } catch {
      setTimeout(() => void resume(), 5000);
    }
  }

  function reset() {
    if (stream) stream.close();
    stream = null;
    conversation = null;
    lastSeq = 0;
    latest = null;
    log.textContent = '';
    clearPicked();
    renderControls();
  }

  async function restart() {
    saveStored(null);
    reset();
    try {
      await ensureConversation();
    } catch {
      showNote(t('failed'));
    }
  }

  /** @param {string} text @param {Picked[]} attachments */
  async function send(text, attachments) {
    text = text.slice(0, MAX_TEXT);
    if (!text.trim() && attachments.length === 0) return;
    busy++;
    typing.hidden = false;
    actions.hidden = true;
    showNote('');
    renderActivity({ from: { role: 'user' }, text, attachments: attachments.map((a) => ({ name: a.file.name })) }, true);
    try {
      const current = await ensureConversation();
      /** @type {Record<string, unknown>} */
      const activity = { type: 'message' };
      if (text.trim()) activity.text = text;
      if (attachments.length) {
        activity.attachments = await Promise.all(attachments.map(async (a) => ({ contentType: a.file.type, name: a.file.name, contentUrl: await dataUrl(a.file) })));
        progress.hidden = false;
        progress.style.width = '0%';
      }
      const response = await deliver(current, activity);
      if (response.status === 401 || response.status === 404) {
        await restart();
        return;
      }
      if (response.status === 429) {
        showNote(t('slowDown', { seconds: response.retryAfter || 60 }));
        restoreInput(text);
        return;
      }
      if (response.status !== 200) throw new Error(response.body && response.body.error ? response.body.error.message : 'status ' + response.status);
      await catchUp();
    } catch {
      showNote(t('failed'));
      restoreInput(text);
    } finally {
      busy--;
      progress.hidden = true;
      typing.hidden = busy === 0;
      renderControls();
    }
  }

  /**
   * Posts a message, retrying a lost connection, a server error or a short rate limit with the
   * same Idempotency-Key, so a message whose answer was lost is never applied twice.
   * @param {Stored} current @param {Record<string, unknown>} activity
   */
  async function deliver(current, activity) {
    const key = newKey();
    const path = '/v1/conversations/' + encodeURIComponent(current.id) + '/activities';
    const onProgress = (/** @type {number} */ pct) => {
      progress.style.width = pct + '%';
      progress.setAttribute('aria-label', t('uploading', { pct }));
    };
    for (let attempt = 1; ; attempt++) {
      const last = attempt >= SEND_ATTEMPTS;
      try {
        const response = await call('POST', path, activity, current.token, onProgress, key);
        const retryable = response.status >= 500 || (response.status === 429 && response.retryAfter > 0 && response.retryAfter <= MAX_RETRY_WAIT_S);
        if (last || !retryable) return response;
        await sleep(response.status === 429 ? response.retryAfter * 1000 : backoffMs(attempt));
      } catch (error) {
        if (last) throw error;
        await sleep(backoffMs(attempt));
      }
    }
  }

  /** A message's own id for the server (printable ASCII). */
  function newKey() {
    if (typeof crypto !== 'undefined' && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + '-' + Math.random().toString(36).slice(2) + Math.random().toString(36).slice(2);
  }

  /** 0.5 s, 1 s, 2 s… with jitter, so many widgets do not retry in step. @param {number} attempt */
  function backoffMs(attempt) {
    return Math.round(500 * 2 ** (attempt - 1) * (0.5 + Math.random()));
  }

  /** @param {number} ms */
  function sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  /** The message did not go through: take its bubble back and give the text back to edit. @param {string} text */
  function restoreInput(text) {
    const pending = log.querySelector('[data-pending]');
    if (pending) pending.remove();
    if (text) input.value = input.value || text;
  }

  /** @param {File} file @returns {Promise<string>} */
  function dataUrl(file) {
    return new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(String(reader.result));
      reader.onerror = () => reject(reader.error);
      reader.readAsDataURL(file);
    });
  }

  // ---- Files -------------------------------------------------------------------------------

  /** @param {FileList | File[]} list */
  function addFiles(list) {
    const problems = [];
    for (const file of Array.from(list)) {
      if (!TYPES.includes(file.type)) problems.push(t('badType', { name: file.name }));
      else if (file.size > MAX_BYTES) problems.push(t('tooBig', { name: file.name }));
      else if (picked.length >= MAX_FILES) problems.push(t('tooMany'));
      else picked.push({ file, url: file.type.startsWith('image/') ? URL.createObjectURL(file) : '' });
    }
    showNote([...new Set(problems)].join(' '));
    renderFiles();
  }

  function clearPicked() {
    for (const item of picked) if (item.url) URL.revokeObjectURL(item.url);
    picked = [];
    renderFiles();
  }

  function renderFiles() {
    files.textContent = '';
    picked.forEach((item, index) => {
      const remove = h('button', { type: 'button', 'aria-label': t('remove', { name: item.file.name }) }, [icon('close')]);
      remove.addEventListener('click', () => {
        if (item.url) URL.revokeObjectURL(item.url);
        picked.splice(index, 1);
        renderFiles();
        input.focus();
      });
      const preview = item.url ? h('img', { src: item.url, alt: '' }) : h('span', { 'aria-hidden': 'true' }, ['PDF']);
      files.append(h('div', { class: 'chip' }, [preview, h('span', {}, [item.file.name]), remove]));
    });
    files.hidden = picked.length === 0;
  }

  // ---- Events ------------------------------------------------------------------------------

  /** @param {boolean} open @param {boolean} [focus] */
  function setOpen(open, focus = true) {
    panel.hidden = !open;
    launcher.setAttribute('aria-expanded', String(open));
    launcher.setAttribute('aria-label', open ? t('close') : t('open'));
    launcher.replaceChildren(icon(open ? 'close' : 'chat'));
    try {
      sessionStorage.setItem(OPEN_KEY, open ? '1' : '');
    } catch {
      /* ignore */
    }
    if (open) {
      if (focus) input.focus();
      log.scrollTop = log.scrollHeight;
      ensureConversation().catch(() => showNote(t('failed')));
    } else if (focus) launcher.focus();
  }

  launcher.addEventListener('click', () => setOpen(panel.hidden));
  closeButton.addEventListener('click', () => setOpen(false));
  restartButton.addEventListener('click', () => void restart().then(() => input.focus()));
  panel.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') setOpen(false);
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = input.value;
    const attachments = picked;
    if (!text.trim() && attachments.length === 0) return;
    input.value = '';
    picked = [];
    renderFiles();
    void send(text, attachments);
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  attachButton.addEventListener('click', () => fileInput.click());
  fileInput.addEventListener('change', () => {
    if (fileInput.files) addFiles(fileInput.files);
    fileInput.value = '';
    input.focus();
  });
  panel.addEventListener('dragover', (event) => {
    if (attachButton.hidden) return;
    event.preventDefault();
    dropZone.hidden = false;
  });
  dropZone.addEventListener('dragleave', () => (dropZone.hidden = true));
  panel.addEventListener('drop', (event) => {
    dropZone.hidden = true;
    if (attachButton.hidden || !event.dataTransfer) return;
    event.preventDefault();
    addFiles(event.dataTransfer.files);
  });
  // Another tab started a new conversation: follow it here too.
  window.addEventListener('storage', (event) => {
    if (event.key !== STORE_KEY) return;
    const next = loadStored();
    if (next && conversation && next.id === conversation.id) return;
    reset();
    conversation = next;
    if (next) void resume();
  });

  function mount() {
    document.body.append(host);
    conversation = loadStored();
    if (conversation) void resume();
    let wasOpen = false;
    try {
      wasOpen = sessionStorage.getItem(OPEN_KEY) === '1';
    } catch {
      /* ignore */
    }
    if (wasOpen) setOpen(true, false);
  }
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount);
})();

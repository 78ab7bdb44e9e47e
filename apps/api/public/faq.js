/* global document, URLSearchParams, window, Portal */
// Частые вопросы: GET /api/v1/public/faq (все опубликованные), GET /api/v1/public/faq/search?q= (поиск).
// Вопрос гражданина нигде не сохраняется.
(function () {
  'use strict';

  const LIST = '/api/v1/public/faq';
  const SEARCH = '/api/v1/public/faq/search';
  const REQUEST_TIMEOUT_MS = 30 * 1000;

  const form = document.getElementById('faq-form');
  if (!form) return;
  const input = document.getElementById('faq-q');
  const list = document.getElementById('faq-list');
  const status = document.getElementById('faq-status');
  const alertBox = document.getElementById('faq-alert');
  const reset = document.getElementById('faq-reset');

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /** One question as a disclosure: the question, then the answer and who answers. */
  function entry(item) {
    const details = el('details', 'disclosure faq-item');
    details.appendChild(el('summary', '', item.question));
    const body = el('div', 'disclosure__body');
    for (const paragraph of String(item.answer).split(/\n+/)) body.appendChild(el('p', '', paragraph));
    body.appendChild(el('p', 'muted faq-source', 'Отвечает: ' + item.organisationName));
    details.appendChild(body);
    return details;
  }

  function show(items, grouped) {
    list.textContent = '';
    if (!grouped) {
      items.forEach(function (item, i) {
        const node = entry(item);
        if (i === 0) node.open = true;
        list.appendChild(node);
      });
      return;
    }
    const groups = new Map();
    for (const item of items) {
      const key = item.topicName || 'Другие вопросы';
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(item);
    }
    for (const [topic, entries] of groups) {
      const section = el('section', 'faq-group');
      section.appendChild(el('h2', 'faq-group__title', topic));
      entries.forEach(function (item) {
        section.appendChild(entry(item));
      });
      list.appendChild(section);
    }
  }

  async function get(url) {
    const { response, failure } = await Portal.fetchWithin(
      url,
      { headers: { accept: 'application/json' } },
      REQUEST_TIMEOUT_MS,
    );
    if (failure || !response.ok) throw new Error(failure || String(response.status));
    return await response.json();
  }

  /** What went wrong, in the citizen's words: their connection only when the server did not answer at all. */
  function fail(error) {
    const message = error && error.message;
    alertBox.textContent =
      message === 'network'
        ? 'Не удалось загрузить ответы. Проверьте подключение к интернету и попробуйте ещё раз.'
        : message === 'timeout'
          ? 'Сервер слишком долго не отвечает. Попробуйте ещё раз через несколько минут.'
          : 'Не удалось загрузить ответы из-за временной ошибки на сервере. Попробуйте ещё раз через несколько минут.';
  }

  async function loadAll() {
    alertBox.textContent = '';
    status.textContent = 'Загружаем вопросы…';
    try {
      const items = await get(LIST);
      show(items, true);
      status.textContent = items.length ? '' : 'Пока нет опубликованных ответов.';
    } catch (error) {
      status.textContent = '';
      fail(error);
    }
    reset.hidden = true;
  }

  form.addEventListener('submit', async function (event) {
    event.preventDefault();
    const q = input.value.trim();
    alertBox.textContent = '';
    if (q.length < 3) {
      loadAll();
      return;
    }
    status.textContent = 'Ищем ответ…';
    try {
      const items = await get(SEARCH + '?' + new URLSearchParams({ q: q }).toString());
      show(items, false);
      status.textContent = items.length
        ? 'Найдено ответов: ' + items.length + '. Самый подходящий — первым.'
        : 'Готового ответа не нашлось. Вы можете подать обращение.';
    } catch (error) {
      status.textContent = '';
      fail(error);
    }
    reset.hidden = false;
  });

  reset.addEventListener('click', function () {
    input.value = '';
    loadAll();
  });

  const initial = new URLSearchParams(window.location.search).get('q');
  if (initial) {
    input.value = initial;
    form.requestSubmit();
  } else {
    loadAll();
  }
})();

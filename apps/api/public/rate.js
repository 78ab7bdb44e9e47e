/* global document, window, fetch, URLSearchParams */
// Оценка ответа по личной ссылке из письма: POST /api/v1/public/rating-links/read и …/rating.
// Ключ ссылки берётся из адресной строки, убирается из неё и передаётся только в теле запроса.
(function () {
  'use strict';

  const ENDPOINT = '/api/v1/public/rating-links/';
  const MESSAGES = {
    noToken: 'В ссылке нет ключа для оценки. Откройте ссылку из письма с ответом целиком.',
    chooseBoth: 'Ответьте на оба вопроса',
    tooManyRequests: 'Слишком много запросов. Подождите несколько минут и попробуйте снова.',
    serverError: 'Временная ошибка на сервере. Попробуйте ещё раз через несколько минут.',
    networkError: 'Не удалось связаться с сервером. Проверьте подключение к интернету и попробуйте ещё раз.',
  };

  const form = document.getElementById('rate-form');
  const lead = document.getElementById('rate-lead');
  const alertBox = document.getElementById('rate-alert');
  const done = document.getElementById('rate-done');
  const submit = document.getElementById('rate-submit');
  if (!form) return;

  const token = new URLSearchParams(window.location.search).get('t') || '';
  // The key is personal: it does not stay in the address bar (nor in the history's entry).
  if (token && window.history && window.history.replaceState) {
    window.history.replaceState(null, '', window.location.pathname);
  }

  function showError(text) {
    const p = document.createElement('p');
    p.className = 'alert__title';
    p.textContent = text;
    alertBox.replaceChildren(p);
    alertBox.focus();
  }

  function showDone(text) {
    alertBox.replaceChildren();
    form.hidden = true;
    done.textContent = text;
    done.hidden = false;
    done.focus();
  }

  function dateRu(iso) {
    const date = new Date(iso);
    return Number.isNaN(date.getTime())
      ? ''
      : date.toLocaleDateString('ru-RU', { day: 'numeric', month: 'long', year: 'numeric' });
  }

  async function post(path, body) {
    let response;
    try {
      response = await fetch(ENDPOINT + path, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        credentials: 'same-origin',
        cache: 'no-store',
        body: JSON.stringify(body),
      });
    } catch {
      return { error: MESSAGES.networkError };
    }
    let data = null;
    try {
      data = await response.json();
    } catch {
      data = null;
    }
    if (response.ok) return { data: data || {} };
    if (response.status === 429) return { error: MESSAGES.tooManyRequests };
    if (response.status >= 500) return { error: MESSAGES.serverError };
    const message = data && data.message;
    return { error: typeof message === 'string' && message ? message : MESSAGES.serverError };
  }

  async function open() {
    if (!token) {
      lead.textContent = '';
      showError(MESSAGES.noToken);
      return;
    }
    const { data, error } = await post('read', { token: token });
    if (error) {
      lead.textContent = '';
      showError(error);
      return;
    }
    lead.textContent =
      'Обращение № ' +
      data.registrationNumber +
      ': ответ ' +
      data.organisation +
      (data.sentAt ? ' от ' + dateRu(data.sentAt) : '') +
      '.';
    if (data.rated) {
      showDone('Этот ответ уже оценён. Спасибо!');
      return;
    }
    form.hidden = false;
  }

  form.addEventListener('submit', async function (event) {
    event.preventDefault();
    const answered = form.querySelector('input[name="answered"]:checked');
    const satisfaction = form.querySelector('input[name="satisfaction"]:checked');
    if (!answered || !satisfaction) {
      showError(MESSAGES.chooseBoth);
      return;
    }
    submit.disabled = true;
    const { data, error } = await post('rating', {
      token: token,
      answered: answered.value === 'true',
      satisfaction: satisfaction.value,
    });
    submit.disabled = false;
    if (error) {
      showError(error);
      return;
    }
    showDone(data.message || 'Спасибо за оценку');
  });

  void open();
})();

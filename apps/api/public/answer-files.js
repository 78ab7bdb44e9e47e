/* global document, window, URLSearchParams, Portal */
// Файлы ответа по личной ссылке из сообщения с ответом (канал, который не передаёт файлы, — Одноклассники):
// POST /api/v1/public/answer-files/read и …/file. Ключ ссылки берётся из фрагмента адреса (#t=…), убирается из
// адреса и передаётся только в теле запроса; файл скачивается запросом POST (Portal.downloadPosted), как на status.html.
(function () {
  'use strict';

  const ENDPOINT = '/api/v1/public/answer-files/';
  const MESSAGES = {
    tooManyRequests: 'Слишком много запросов. Подождите несколько минут и попробуйте снова.',
    serverError: 'Временная ошибка на сервере. Попробуйте ещё раз через несколько минут.',
    networkError: 'Не удалось связаться с сервером. Проверьте подключение к интернету и попробуйте ещё раз.',
    refused: 'Не удалось открыть ссылку',
    fileRefused: 'Не удалось скачать файл. Откройте ссылку из сообщения с ответом ещё раз.',
    // Also what a reload or the back button shows: the key left the address when the link was opened.
    noToken:
      'В адресе страницы нет ключа ссылки: он убирается из адреса сразу после её открытия. Откройте ссылку из ' +
      'сообщения с ответом ещё раз.',
  };

  const lead = document.getElementById('files-lead');
  const alertBox = document.getElementById('files-alert');
  const list = document.getElementById('files-list');
  const until = document.getElementById('files-until');
  if (!lead || !alertBox || !list || !window.Portal) return;

  // The key rides in the fragment, which the browser never sends to the server.
  const token = new URLSearchParams(window.location.hash.replace(/^#/, '')).get('t') || '';
  // The key is personal: it does not stay in the address bar (nor in the history's entry).
  if (token && window.history && window.history.replaceState) {
    window.history.replaceState(null, '', window.location.pathname);
  }
  // Another link opened in this tab changes only the fragment: the page does not load again by itself.
  window.addEventListener('hashchange', () => window.location.reload());

  function showAlert(text) {
    const p = document.createElement('p');
    p.className = 'alert__title';
    p.textContent = text;
    alertBox.replaceChildren(p);
  }

  async function open() {
    if (!token) {
      lead.textContent = '';
      showAlert(MESSAGES.noToken);
      return;
    }
    const { body, refused, text, failure } = await Portal.request(
      ENDPOINT + 'read',
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        credentials: 'same-origin',
        cache: 'no-store',
        body: JSON.stringify({ token: token }),
      },
      60 * 1000,
      Object.assign({ timeout: MESSAGES.serverError, badResponse: MESSAGES.serverError }, MESSAGES),
      { isAnswer: (b) => Boolean(b && Array.isArray(b.files)) },
    );
    if (failure || refused) {
      lead.textContent = '';
      showAlert(failure || text);
      return;
    }
    lead.textContent = Portal.answerLeadRu(body);
    body.files.forEach((file) => {
      const item = document.createElement('li');
      const link = document.createElement('a');
      const name = String(file.fileName || 'файл');
      link.href = '#';
      link.textContent = name;
      link.addEventListener('click', async (event) => {
        event.preventDefault();
        const error = await Portal.downloadPosted(
          ENDPOINT + 'file',
          { token: token, fileId: file.id },
          name,
          link,
          MESSAGES,
          MESSAGES.fileRefused,
        );
        if (error) showAlert(error);
      });
      item.appendChild(link);
      list.appendChild(item);
    });
    list.hidden = false;
    until.textContent =
      'Ссылка личная, не пересылайте её. Она действует до ' +
      Portal.formatDateTimeRu(body.expiresAt, true, body.timeZone);
    until.hidden = false;
  }

  void open();
})();

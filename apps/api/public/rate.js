/* global document, window, URLSearchParams, RatingForm, Portal */
// Оценка ответа по личной ссылке из письма: POST /api/v1/public/rating-links/read и …/rating.
// Ключ ссылки берётся из адресной строки, убирается из неё и передаётся только в теле запроса.
// Сама форма — общая с status.html (rating-form.js).
(function () {
  'use strict';

  const ENDPOINT = '/api/v1/public/rating-links/';
  // Also what a reload or the back button shows: the key left the address when the link was opened.
  const NO_TOKEN =
    'В адресе страницы нет ключа для оценки: он убирается из адреса сразу после открытия ссылки. Откройте ссылку ' +
    'из письма с ответом ещё раз. Если обращение подано на портале и у вас есть код доступа, оценить ответ можно и ' +
    'на странице «Проверить статус обращения».';

  const slot = document.getElementById('rate-slot');
  const lead = document.getElementById('rate-lead');
  if (!slot || !window.RatingForm) return;

  // The key rides in the fragment, which the browser never sends to the server (links in older letters have it in
  // the query).
  const fragment = new URLSearchParams(window.location.hash.replace(/^#/, ''));
  const token = fragment.get('t') || new URLSearchParams(window.location.search).get('t') || '';
  // The key is personal: it does not stay in the address bar (nor in the history's entry).
  if (token && window.history && window.history.replaceState) {
    window.history.replaceState(null, '', window.location.pathname);
  }
  // Another link opened in this tab changes only the fragment: the page does not load again by itself.
  window.addEventListener('hashchange', () => window.location.reload());

  const rating = RatingForm.create({
    send: (answer) =>
      RatingForm.postJson(ENDPOINT + 'rating', {
        token: token,
        answered: answer.answered,
        satisfaction: answer.satisfaction,
      }),
  });
  slot.appendChild(rating.element);

  async function open() {
    if (!token) {
      lead.textContent = '';
      rating.error(NO_TOKEN);
      return;
    }
    const { data, error } = await RatingForm.postJson(ENDPOINT + 'read', { token: token });
    if (error) {
      lead.textContent = '';
      rating.error(error);
      return;
    }
    lead.textContent = Portal.answerLeadRu(data);
    if (data.rated) {
      rating.done(RatingForm.MESSAGES.alreadyRated);
      return;
    }
    rating.show();
  }

  void open();
})();

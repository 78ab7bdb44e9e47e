/* global document, window, URLSearchParams, RatingForm, Portal */
// Проверка статуса обращения: POST /api/v1/public/appeals/{registrationNumber}/status, код доступа — в теле.
// Код никогда не уходит в адресе запроса: адреса остаются в журналах серверов и прокси, в истории браузера и в
// заголовке Referer. Ссылка со страницы регистрации несёт его во фрагменте (status.html?number=…#code=…), который
// браузер не отправляет на сервер; страница читает его, убирает из адресной строки и нигде не сохраняет.
// Каждый данный ответ можно оценить здесь же (POST …/{registrationNumber}/rating, форма из rating-form.js), файлы
// ответа скачиваются тоже запросом POST с кодом в теле.
(function () {
  'use strict';

  const ENDPOINT = '/api/v1/public/appeals/';
  const REQUEST_TIMEOUT_MS = 60 * 1000;

  const MESSAGES = {
    numberRequired: 'Укажите регистрационный номер обращения',
    numberFormat: 'Номер обращения указывается в формате 2026-000123',
    codeRequired: 'Укажите код доступа',
    summaryTitle: 'Проверьте правильность заполнения формы',
    notFound: 'Обращение не найдено. Проверьте номер и код доступа.',
    tooManyRequests: 'Слишком много запросов. Подождите несколько минут и попробуйте снова.',
    serverError:
      'Не удалось получить статус из-за временной ошибки на сервере. Попробуйте ещё раз через несколько минут.',
    networkError: 'Не удалось связаться с сервером. Проверьте подключение к интернету и попробуйте ещё раз.',
    timeout: 'Сервер слишком долго не отвечает. Попробуйте ещё раз позже.',
    badResponse: 'Сервер вернул неожиданный ответ. Попробуйте ещё раз позже.',
    refused: 'Не удалось получить статус',
    fileRefused: 'Не удалось скачать файл. Обновите статус и попробуйте ещё раз.',
  };

  const form = document.getElementById('status-form');
  if (!form) return;

  const numberInput = document.getElementById('number');
  const codeInput = document.getElementById('code');
  const alertBox = document.getElementById('status-alert');
  const submitButton = document.getElementById('status-submit');
  const loadingBox = document.getElementById('status-loading');
  const resultSection = document.getElementById('status-result');

  let loading = false;
  /** The alert shows the summary of the fields' errors: it goes when the citizen has put them right. */
  let summaryShown = false;
  /** The number and code the shown status was read with: a rating is sent with them. */
  let shown = null;

  // ---------- Ошибки ----------

  function setFieldError(input, message) {
    document.getElementById(input.id + '-error').textContent = message;
    if (message) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  }

  function showAlert(text) {
    const p = document.createElement('p');
    p.className = 'alert__title';
    p.textContent = text;
    alertBox.replaceChildren(p);
  }

  function clearAlert() {
    alertBox.replaceChildren();
    summaryShown = false;
  }

  function showGeneralError(text) {
    resultSection.hidden = true;
    showAlert(text);
    alertBox.focus();
  }

  /**
   * Номер так, как его пишет сервер: гражданин переписывает его из письма или вставляет с «№», пробелами и длинным
   * тире (Word заменяет дефис), или набирает без дефиса.
   */
  function normalNumber(raw) {
    const number = raw.replace(/[\u2010-\u2015\u2212]/g, '-').replace(/[^\d-]/g, '');
    return /^\d{10,}$/.test(number) ? number.slice(0, 4) + '-' + number.slice(4) : number;
  }

  /** Код без пробелов и дефисов, которыми его разбивают при записи или диктовке. */
  function normalCode(raw) {
    return raw.replace(/[\s\u2010-\u2015\u2212-]/g, '').toUpperCase();
  }

  function validate() {
    const number = normalNumber(numberInput.value);
    const numberError = !numberInput.value.trim()
      ? MESSAGES.numberRequired
      : /^\d{4}-\d{6,}$/.test(number)
        ? ''
        : MESSAGES.numberFormat;
    const codeError = codeInput.value.trim() ? '' : MESSAGES.codeRequired;
    setFieldError(numberInput, numberError);
    setFieldError(codeInput, codeError);
    if (numberError || codeError) {
      showAlert(MESSAGES.summaryTitle);
      summaryShown = true;
      (numberError ? numberInput : codeInput).focus();
      return false;
    }
    return true;
  }

  // ---------- Запрос ----------

  const showLoading = Portal.busyState(form, submitButton, loadingBox, 'Проверяем…');

  function setLoading(state) {
    loading = state;
    showLoading(state);
  }

  function requestStatus(number, code) {
    return Portal.request(
      ENDPOINT + encodeURIComponent(number) + '/status',
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        credentials: 'same-origin',
        cache: 'no-store',
        body: JSON.stringify({ code: code }),
      },
      REQUEST_TIMEOUT_MS,
      MESSAGES,
      { isAnswer: (b) => b && typeof b.registrationNumber === 'string' },
    );
  }

  async function check() {
    const number = normalNumber(numberInput.value);
    const code = normalCode(codeInput.value);

    setLoading(true);
    clearAlert();
    const { body, refused, text, failure } = await requestStatus(number, code);
    setLoading(false);
    if (failure) {
      showGeneralError(failure);
      return;
    }
    if (!refused) {
      shown = { number: number, code: code };
      showResult(body);
      return;
    }
    if (refused === 404) {
      showGeneralError(MESSAGES.notFound);
      return;
    }
    if (refused === 400) {
      // The server's errors by field: each under its own field, the first one focused.
      const errors = (body && body.errors) || {};
      const fields = [
        [numberInput, Portal.messageText(errors.registrationNumber)],
        [codeInput, Portal.messageText(errors.code)],
      ];
      fields.forEach(([input, message]) => setFieldError(input, message));
      const first = fields.find(([, message]) => message);
      resultSection.hidden = true;
      showAlert(Portal.messageText(body && body.message) || MESSAGES.notFound);
      if (first) first[0].focus();
      else alertBox.focus();
      return;
    }
    showGeneralError(text);
  }

  // ---------- Результат ----------

  /** Пункт истории или ответа, который начинается с его времени. */
  function timedItem(at, label) {
    const li = document.createElement('li');
    const time = document.createElement('time');
    if (at) time.setAttribute('datetime', String(at));
    time.textContent = label;
    li.appendChild(time);
    return li;
  }

  function showResult(data) {
    showFacts(data);
    showAnswers(data);
    resultSection.hidden = false;
    const title = document.getElementById('result-title');
    title.focus({ preventScroll: true });
    if (typeof resultSection.scrollIntoView === 'function') resultSection.scrollIntoView({ block: 'start' });
  }

  /** Status, dates and history: what a rating changes (a poor one reopens the appeal with a new term). */
  function showFacts(data) {
    document.getElementById('result-number').textContent = data.registrationNumber;
    const badge = document.getElementById('result-status');
    badge.textContent = data.statusText || data.status || '—';
    if (data.status) badge.setAttribute('data-status', String(data.status));
    // Dates and times in the appeal's zone (the region's), not the browser's: a citizen away or a browser set to
    // UTC reads the same registration date as the letters and the staff.
    const zone = typeof data.timeZone === 'string' ? data.timeZone : undefined;
    document.getElementById('result-registered').textContent = Portal.formatDateTimeRu(
      data.registeredAt,
      false,
      zone,
    );
    // Passed on to another organisation: the answer comes from it, in its own term, not ours by this date.
    document.getElementById('result-due').textContent =
      data.status === 'redirected'
        ? 'ответ направит организация, в которую передано обращение'
        : data.answerDueDate
          ? 'до ' + Portal.formatDateOnlyRu(data.answerDueDate)
          : '—';

    const list = document.getElementById('result-history');
    list.replaceChildren();
    const history = Array.isArray(data.history) ? data.history : [];
    history.forEach((entry) => {
      if (!entry) return;
      const li = timedItem(entry.at, Portal.formatDateTimeRu(entry.at, true, zone));
      const text = document.createElement('span');
      text.textContent = entry.text || '';
      li.appendChild(text);
      list.appendChild(li);
    });
    list.hidden = history.length === 0;
    document.getElementById('result-history-empty').hidden = history.length !== 0;
  }

  function showAnswers(data) {
    const zone = typeof data.timeZone === 'string' ? data.timeZone : undefined;

    const answersList = document.getElementById('result-answers');
    answersList.replaceChildren();
    const answers = Array.isArray(data.answers) ? data.answers : [];
    answers.forEach((answer) => {
      if (!answer) return;
      const li = timedItem(
        answer.sentAt,
        Portal.formatDateTimeRu(answer.sentAt, true, zone) +
          (answer.organisation ? ', ' + answer.organisation : ''),
      );
      const text = document.createElement('p');
      text.className = 'answer-text';
      text.textContent = answer.text || '';
      li.appendChild(text);
      const files = Array.isArray(answer.attachments) ? answer.attachments : [];
      if (files.length > 0) {
        const fileList = document.createElement('ul');
        fileList.className = 'answer-files';
        fileList.setAttribute('aria-label', 'Файлы к ответу');
        files.forEach((file) => {
          if (!file || typeof file.url !== 'string') return;
          const item = document.createElement('li');
          const link = document.createElement('a');
          link.href = file.url;
          link.textContent = String(file.fileName || 'файл');
          link.setAttribute('download', String(file.fileName || ''));
          link.addEventListener('click', (event) => {
            event.preventDefault();
            download(file.url, String(file.fileName || 'файл'), link);
          });
          item.appendChild(link);
          fileList.appendChild(item);
        });
        li.appendChild(fileList);
      }
      li.appendChild(ratingOf(answer));
      answersList.appendChild(li);
    });
    document.getElementById('result-answers-block').hidden = answers.length === 0;
    document.getElementById('result-no-answer').hidden = answers.length !== 0;
  }

  /**
   * After a rating, the status and history as they now are (a poor rating reopens the appeal: the badge said
   * «Дан ответ» beside «направлено на повторное рассмотрение»); the answers stay as shown, with the thanks.
   */
  async function refreshFacts(target) {
    const { body, refused, failure } = await requestStatus(target.number, target.code);
    if (!failure && !refused && shown === target) showFacts(body);
  }

  /** The answer's rating: the form while it is not rated (each answer once), else that it is. */
  function ratingOf(answer) {
    const block = document.createElement('div');
    block.className = 'answer-rating';
    if (answer.rated || !window.RatingForm) {
      const note = document.createElement('p');
      note.className = 'muted';
      note.textContent = answer.rated ? 'Этот ответ уже оценён. Спасибо!' : '';
      block.appendChild(note);
      return block;
    }
    const title = document.createElement('h4');
    title.className = 'history-title';
    title.textContent = 'Оцените ответ';
    block.appendChild(title);
    const target = shown;
    const form = RatingForm.create({
      visible: true,
      label: 'Оценка ответа' + (answer.organisation ? ' ' + answer.organisation : ''),
      send: async (rating) => {
        const result = await RatingForm.postJson(ENDPOINT + encodeURIComponent(target.number) + '/rating', {
          code: target.code,
          answerId: answer.id,
          answered: rating.answered,
          satisfaction: rating.satisfaction,
        });
        if (result.data) refreshFacts(target);
        return result;
      },
    });
    block.appendChild(form.element);
    return block;
  }

  /** A file of an answer: asked for by POST with the code in the body, then saved from memory. */
  async function download(url, fileName, link) {
    if (!shown) return;
    const body = { code: shown.code };
    const error = await Portal.downloadPosted(url, body, fileName, link, MESSAGES, MESSAGES.fileRefused);
    if (error) showAlert(error);
  }

  // ---------- Обработчики ----------

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (loading) return;
    if (!validate()) return;
    clearAlert();
    check();
  });

  [numberInput, codeInput].forEach((input) => {
    input.addEventListener('input', () => {
      if (input.getAttribute('aria-invalid') === 'true' && input.value.trim()) setFieldError(input, '');
      // Both fields put right: the summary above them no longer says anything true.
      if (summaryShown && !form.querySelector('[aria-invalid="true"]')) clearAlert();
    });
  });

  // Предзаполнение из адреса: status.html?number=…#code=… (код во фрагменте, на сервер он не уходит). Старые
  // ссылки вида status.html?number=…&code=… тоже открываются; в обоих случаях код сразу убирается из адресной
  // строки и истории браузера.
  const params = new URLSearchParams(window.location.search);
  const fragment = new URLSearchParams(window.location.hash.replace(/^#/, ''));
  const presetNumber = params.get('number') || fragment.get('number');
  const presetCode = fragment.get('code') || params.get('code');
  if (presetNumber) numberInput.value = presetNumber.trim();
  if (presetCode) codeInput.value = presetCode.trim();
  if (presetCode && window.history && typeof window.history.replaceState === 'function') {
    const keep = new URLSearchParams();
    if (presetNumber) keep.set('number', presetNumber.trim());
    const query = keep.toString();
    window.history.replaceState(null, '', window.location.pathname + (query ? '?' + query : ''));
  }
  if (presetNumber && presetCode) {
    check();
  }
})();

/* global document, window, URLSearchParams, RatingForm, Portal */
// Проверка статуса обращения: GET /api/v1/public/appeals/{registrationNumber}?code={code}.
// Номер и код берутся из адресной строки (ссылка со страницы регистрации) и нигде не сохраняются.
// Каждый данный ответ можно оценить здесь же (POST …/{registrationNumber}/rating?code=…, форма из rating-form.js).
(function () {
  'use strict';

  const ENDPOINT = '/api/v1/public/appeals/';
  const REQUEST_TIMEOUT_MS = 60 * 1000;

  const MESSAGES = {
    numberRequired: 'Укажите регистрационный номер обращения',
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
  }

  function showGeneralError(text) {
    resultSection.hidden = true;
    showAlert(text);
    alertBox.focus();
  }

  function validate() {
    const numberError = numberInput.value.trim() ? '' : MESSAGES.numberRequired;
    const codeError = codeInput.value.trim() ? '' : MESSAGES.codeRequired;
    setFieldError(numberInput, numberError);
    setFieldError(codeInput, codeError);
    if (numberError || codeError) {
      showAlert(MESSAGES.summaryTitle);
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

  async function check() {
    const number = numberInput.value.trim();
    const code = codeInput.value.trim();
    const url = ENDPOINT + encodeURIComponent(number) + '?code=' + encodeURIComponent(code);

    setLoading(true);
    clearAlert();
    const { body, refused, text, failure } = await Portal.request(
      url,
      { headers: { Accept: 'application/json' }, credentials: 'same-origin', cache: 'no-store' },
      REQUEST_TIMEOUT_MS,
      MESSAGES,
      { isAnswer: (b) => b && typeof b.registrationNumber === 'string' },
    );
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
      showGeneralError(Portal.messageText(body && body.message) || MESSAGES.notFound);
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
    document.getElementById('result-number').textContent = data.registrationNumber;
    const badge = document.getElementById('result-status');
    badge.textContent = data.statusText || data.status || '—';
    if (data.status) badge.setAttribute('data-status', String(data.status));
    document.getElementById('result-registered').textContent = Portal.formatDateTimeRu(
      data.registeredAt,
      false,
    );
    document.getElementById('result-due').textContent = data.answerDueDate
      ? 'до ' + Portal.formatDateOnlyRu(data.answerDueDate)
      : '—';

    const list = document.getElementById('result-history');
    list.replaceChildren();
    const history = Array.isArray(data.history) ? data.history : [];
    history.forEach((entry) => {
      if (!entry) return;
      const li = timedItem(entry.at, Portal.formatDateTimeRu(entry.at, true));
      const text = document.createElement('span');
      text.textContent = entry.text || '';
      li.appendChild(text);
      list.appendChild(li);
    });
    list.hidden = history.length === 0;
    document.getElementById('result-history-empty').hidden = history.length !== 0;

    const answersList = document.getElementById('result-answers');
    answersList.replaceChildren();
    const answers = Array.isArray(data.answers) ? data.answers : [];
    answers.forEach((answer) => {
      if (!answer) return;
      const li = timedItem(
        answer.sentAt,
        Portal.formatDateTimeRu(answer.sentAt, true) +
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

    resultSection.hidden = false;
    const title = document.getElementById('result-title');
    title.focus({ preventScroll: true });
    if (typeof resultSection.scrollIntoView === 'function') resultSection.scrollIntoView({ block: 'start' });
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
      send: (rating) =>
        RatingForm.postJson(
          ENDPOINT + encodeURIComponent(target.number) + '/rating?code=' + encodeURIComponent(target.code),
          { answerId: answer.id, answered: rating.answered, satisfaction: rating.satisfaction },
        ),
    });
    block.appendChild(form.element);
    return block;
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
    });
  });

  // Предзаполнение из адреса: status.html?number=…&code=…
  const params = new URLSearchParams(window.location.search);
  const presetNumber = params.get('number');
  const presetCode = params.get('code');
  if (presetNumber) numberInput.value = presetNumber.trim();
  if (presetCode) codeInput.value = presetCode.trim();
  if (presetCode && window.history && typeof window.history.replaceState === 'function') {
    // Убираем код доступа из адресной строки, чтобы он не оставался на виду.
    const keep = new URLSearchParams();
    if (presetNumber) keep.set('number', presetNumber.trim());
    const query = keep.toString();
    window.history.replaceState(null, '', window.location.pathname + (query ? '?' + query : ''));
  }
  if (presetNumber && presetCode) {
    check();
  }
})();

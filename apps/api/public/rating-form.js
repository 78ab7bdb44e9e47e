/* global document, window, fetch, Portal */
// Форма оценки ответа (оба вопроса S4 п. 27.3), общая для rate.html (ссылка из письма) и status.html (номер и
// код доступа). Каждая страница сама говорит, куда отправить оценку; форма спрашивает, проверяет и сообщает итог.
(function () {
  'use strict';

  const MESSAGES = {
    chooseBoth: 'Ответьте на оба вопроса',
    tooManyRequests: 'Слишком много запросов. Подождите несколько минут и попробуйте снова.',
    serverError: 'Временная ошибка на сервере. Попробуйте ещё раз через несколько минут.',
    networkError: 'Не удалось связаться с сервером. Проверьте подключение к интернету и попробуйте ещё раз.',
    thanks: 'Спасибо за оценку',
    alreadyRated: 'Этот ответ уже оценён. Спасибо!',
  };

  const QUESTIONS = [
    {
      name: 'answered',
      legend: 'Получен ли ответ на ваш вопрос?',
      options: [
        ['true', 'Да, ответ на вопрос получен'],
        ['false', 'Нет, ответа на вопрос нет'],
      ],
    },
    {
      name: 'satisfaction',
      legend: 'Удовлетворены ли вы ответом?',
      options: [
        ['satisfied', 'Удовлетворён'],
        ['partially', 'Частично удовлетворён'],
        ['not-satisfied', 'Не удовлетворён'],
      ],
    },
  ];

  let forms = 0;

  /** POST JSON to our API: `{ data }` when it worked, else `{ error }` with a message for the citizen. */
  async function postJson(url, body) {
    let response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        credentials: 'same-origin',
        cache: 'no-store',
        body: JSON.stringify(body),
      });
    } catch {
      return { error: MESSAGES.networkError };
    }
    const data = await Portal.readJson(response);
    if (response.ok) return { data: data || {} };
    return { error: Portal.refusalText(response, data, MESSAGES, MESSAGES.serverError) };
  }

  function element(tag, attributes, text) {
    const node = document.createElement(tag);
    Object.keys(attributes || {}).forEach((key) => node.setAttribute(key, attributes[key]));
    if (text) node.textContent = text;
    return node;
  }

  /**
   * A rating form: `send({ answered, satisfaction })` resolves to `{ data }` (its `message` is shown) or
   * `{ error }`. Returns `{ element, show, error, done }`; the form starts hidden unless `visible`.
   */
  function create(options) {
    const prefix = 'rating-' + ++forms;
    const root = element('div', { class: 'rating' });
    const alertBox = element('div', {
      class: 'alert',
      role: 'alert',
      'aria-live': 'assertive',
      tabindex: '-1',
    });
    const doneBox = element('div', {
      class: 'notice',
      role: 'status',
      'aria-live': 'polite',
      tabindex: '-1',
    });
    doneBox.hidden = true;
    const form = element('form', { novalidate: '', 'aria-label': options.label || 'Оценка ответа' });
    form.hidden = !options.visible;

    QUESTIONS.forEach((question) => {
      const fieldset = element('fieldset');
      fieldset.appendChild(element('legend', {}, question.legend));
      question.options.forEach(([value, label]) => {
        const id = prefix + '-' + question.name + '-' + value;
        const row = element('div', { class: 'checkbox' });
        row.appendChild(element('input', { type: 'radio', id: id, name: question.name, value: value }));
        row.appendChild(element('label', { for: id }, label));
        fieldset.appendChild(row);
      });
      form.appendChild(fieldset);
    });
    form.appendChild(
      element(
        'p',
        { class: 'hint' },
        'Если ответ вас не удовлетворил, обращение будет направлено на повторное рассмотрение в ' +
          'вышестоящую организацию. Каждый ответ можно оценить один раз.',
      ),
    );
    const actions = element('div', { class: 'form-actions' });
    const submit = element('button', { type: 'submit', class: 'button' }, 'Отправить оценку');
    actions.appendChild(submit);
    form.appendChild(actions);
    root.appendChild(alertBox);
    root.appendChild(doneBox);
    root.appendChild(form);

    function showError(text) {
      alertBox.replaceChildren(element('p', { class: 'alert__title' }, text));
      alertBox.focus();
    }

    function showDone(text) {
      alertBox.replaceChildren();
      form.hidden = true;
      doneBox.textContent = text;
      doneBox.hidden = false;
      doneBox.focus();
    }

    // Both questions answered after «Ответьте на оба вопроса»: that alert is no longer true.
    form.addEventListener('change', () => {
      const both = form.querySelectorAll('input:checked').length === QUESTIONS.length;
      if (both && alertBox.textContent === MESSAGES.chooseBoth) alertBox.replaceChildren();
    });

    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const answered = form.querySelector('input[name="answered"]:checked');
      const satisfaction = form.querySelector('input[name="satisfaction"]:checked');
      if (!answered || !satisfaction) {
        showError(MESSAGES.chooseBoth);
        return;
      }
      submit.disabled = true;
      const { data, error } = await options.send({
        answered: answered.value === 'true',
        satisfaction: satisfaction.value,
      });
      submit.disabled = false;
      if (error) {
        showError(error);
        return;
      }
      showDone(data.message || MESSAGES.thanks);
    });

    return {
      element: root,
      show: () => {
        form.hidden = false;
      },
      error: showError,
      done: showDone,
    };
  }

  window.RatingForm = { create: create, postJson: postJson, MESSAGES: MESSAGES };
})();

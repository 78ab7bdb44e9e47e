/* global document, window, FormData, navigator, setTimeout, crypto, Portal, parsePhoneRu */
// Форма обращения гражданина: проверка на стороне браузера (окончательную проверку выполняет сервер),
// отправка multipart/form-data на POST /api/v1/public/appeals и показ результата.
// Персональные данные не сохраняются ни в localStorage/sessionStorage, ни в cookies.
(function () {
  'use strict';

  const ENDPOINT = '/api/v1/public/appeals';
  const TEXT_MIN = 10;
  const TEXT_MAX = 10000;
  const MAX_FILES = 5;
  const MAX_FILE_SIZE = 10 * 1024 * 1024;
  // Все файлы одного обращения вместе (ANONYMOUS_UPLOAD_BYTES_PER_REQUEST сервера).
  const MAX_TOTAL_SIZE = 20 * 1024 * 1024;
  // Те же, что принимает сервер (WebsiteFormConnector): и документы LibreOffice и WordPad.
  const ALLOWED_EXTENSIONS = ['jpg', 'jpeg', 'png', 'pdf', 'doc', 'docx', 'odt', 'rtf', 'txt'];
  const REQUEST_TIMEOUT_MS = 5 * 60 * 1000;

  // Поля формы в порядке их следования на странице (для фокуса на первом ошибочном поле).
  // «contact» — общая ошибка группы «электронная почта или телефон».
  const FIELD_ORDER = [
    'surname',
    'firstName',
    'patronymic',
    'contact',
    'email',
    'phone',
    'postalAddress',
    'address',
    'subject',
    'text',
    'attachments',
    'consent',
  ];
  const FIELD_LABELS = {
    surname: 'Фамилия',
    firstName: 'Имя',
    patronymic: 'Отчество',
    contact: 'Контактные данные',
    email: 'Электронная почта',
    phone: 'Телефон',
    postalAddress: 'Почтовый адрес',
    address: 'Адрес места проблемы',
    subject: 'Тема',
    text: 'Текст обращения',
    attachments: 'Вложения',
    consent: 'Согласие на обработку персональных данных',
  };
  // Ключи ошибок сервера, которые относятся к общей группе контактов.
  const CONTACT_KEYS = ['contact', 'contacts', 'emailOrPhone', 'emailorphone'];

  const MESSAGES = {
    summaryTitle: 'Проверьте правильность заполнения формы',
    surnameRequired: 'Укажите фамилию',
    firstNameRequired: 'Укажите имя',
    contactRequired: 'Укажите электронную почту или телефон — хотя бы одно из двух',
    emailInvalid: 'Укажите электронную почту в формате ivanov@example.ru',
    textRequired: 'Введите текст обращения',
    textTooShort: 'Текст обращения должен содержать не менее 10 символов',
    textTooLong: 'Текст обращения должен содержать не более 10 000 символов',
    consentRequired: 'Чтобы отправить обращение, подтвердите согласие на обработку персональных данных',
    tooManyFiles: 'Можно прикрепить не более 5 файлов',
    payloadTooLarge: 'Файлы слишком большие: не более 10 МБ каждый и 20 МБ все вместе',
    typeRefused: 'Один из файлов не является документом или изображением допустимого формата',
    typeRefusedHint:
      'Удалите этот файл из списка («Удалить» рядом с ним) или замените его файлом JPG, PNG, PDF, DOC, DOCX, ODT, ' +
      'RTF или TXT.',
    tooManyRequests:
      'Слишком много обращений за короткое время. Подождите несколько минут и попробуйте снова.',
    serverError:
      'Не удалось отправить обращение из-за временной ошибки на сервере. Введённые данные сохранены в форме — ' +
      'попробуйте отправить обращение ещё раз через несколько минут.',
    networkError:
      'Не удалось связаться с сервером. Проверьте подключение к интернету и нажмите «Отправить обращение» ещё раз — ' +
      'введённые данные сохранены в форме.',
    timeout:
      'Сервер слишком долго не отвечает. Введённые данные сохранены в форме — попробуйте отправить обращение ещё раз ' +
      'позже.',
    refused: 'Не удалось отправить обращение',
    badResponse:
      'Сервер вернул неожиданный ответ, поэтому мы не можем показать номер обращения. Не отправляйте обращение ' +
      'повторно сразу: проверьте электронную почту или дождитесь звонка. Если за три дня с вами не свяжутся, ' +
      'отправьте обращение снова.',
  };

  const form = document.getElementById('appeal-form');
  if (!form) return;

  const alertBox = document.getElementById('form-alert');
  const submitButton = document.getElementById('submit-button');
  const sendingBox = document.getElementById('sending');
  const textArea = document.getElementById('text');
  const counterValue = document.getElementById('text-counter-value');
  const counterNote = document.getElementById('text-counter-note');
  const counterBox = document.getElementById('text-counter');
  const counterLive = document.getElementById('text-counter-live');
  const fileInput = document.getElementById('attachments');
  const fileList = document.getElementById('file-list');
  const fileStatus = document.getElementById('attachments-status');

  /** Выбранные файлы (поле выбора файлов очищается после каждого выбора, чтобы можно было добавлять файлы). */
  let selectedFiles = [];
  /** Сообщения о файлах, не добавленных при выборе (не мешают отправке). */
  let fileRejections = [];
  /** Текущие ошибки полей: ключ — имя поля из FIELD_ORDER. */
  let fieldErrors = {};
  let sending = false;
  let attemptedSubmit = false;
  /** Показана сводка ошибок полей (а не общее сообщение): её пункты следуют за исправлениями. */
  let summaryShown = false;
  let counterState = '';
  /**
   * Ключ этой отправки (заголовок Idempotency-Key): повторная отправка того же заполнения (ответ потерялся в сети,
   * истекло ожидание) даёт то же обращение, а не второе. Любая правка формы — новое заполнение и новый ключ.
   */
  let submissionKey = '';

  function newSubmissionKey() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, (b) => (b < 16 ? '0' : '') + b.toString(16)).join('');
  }

  // ---------- Вспомогательные функции ----------

  function value(name) {
    const el = form.elements.namedItem(name);
    return el && typeof el.value === 'string' ? el.value.trim() : '';
  }

  function formatNumber(n) {
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, '\u00a0');
  }

  function formatFileSize(bytes) {
    if (bytes < 1024) return bytes + ' Б';
    if (bytes < 1024 * 1024) return Math.max(1, Math.round(bytes / 1024)) + ' КБ';
    return (bytes / (1024 * 1024)).toFixed(1).replace('.', ',') + ' МБ';
  }

  const pluralRu = Portal.pluralRu;

  function fileExtension(name) {
    const dot = name.lastIndexOf('.');
    return dot >= 0 ? name.slice(dot + 1).toLowerCase() : '';
  }

  function errorSlot(key) {
    const base = String(key).split(/[.[]/)[0];
    if (CONTACT_KEYS.indexOf(base) >= 0) return 'contact';
    if (base === 'files' || base === 'file') return 'attachments';
    return FIELD_ORDER.indexOf(base) >= 0 ? base : null;
  }

  /** Элемент, который получает фокус для ошибки поля. */
  function focusTarget(slot) {
    if (slot === 'contact') return document.getElementById('email');
    return document.getElementById(slot);
  }

  // ---------- Проверка на стороне браузера ----------

  function validateField(name) {
    switch (name) {
      case 'surname':
        return value('surname') ? '' : MESSAGES.surnameRequired;
      case 'firstName':
        return value('firstName') ? '' : MESSAGES.firstNameRequired;
      case 'contact':
        return value('email') || value('phone') ? '' : MESSAGES.contactRequired;
      case 'email': {
        const email = value('email');
        return !email || /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/.test(email) ? '' : MESSAGES.emailInvalid;
      }
      case 'phone': {
        // Правило сервера, то же самое (phone-rule.js отдаёт сервер из своего кода): номер без 8 и +7 с кодом
        // города принимается, номер без кода города — нет, с тем же пояснением, что дал бы сервер.
        const phone = value('phone');
        if (!phone) return '';
        const result = parsePhoneRu(phone);
        return result.error || '';
      }
      case 'text': {
        const length = value('text').length;
        if (length === 0) return MESSAGES.textRequired;
        if (length < TEXT_MIN) return MESSAGES.textTooShort;
        if (length > TEXT_MAX) return MESSAGES.textTooLong;
        return '';
      }
      case 'attachments': {
        if (selectedFiles.length > MAX_FILES) return MESSAGES.tooManyFiles;
        const invalid = selectedFiles.map(checkFile).filter(Boolean);
        return invalid.join(' ');
      }
      case 'consent':
        return document.getElementById('consent').checked ? '' : MESSAGES.consentRequired;
      default:
        return '';
    }
  }

  function validateAll() {
    const errors = {};
    FIELD_ORDER.forEach((name) => {
      const message = validateField(name);
      if (message) errors[name] = message;
    });
    return errors;
  }

  /** Сообщение об ошибке для одного файла или пустая строка. */
  function checkFile(file) {
    const extension = fileExtension(file.name);
    // An iPhone's photos are HEIC by default: the citizen hears how to get a JPG, not only that it is refused.
    if (extension === 'heic' || extension === 'heif') {
      return (
        'Файл «' +
        file.name +
        '» не добавлен: фото в формате HEIC не принимается. Сохраните его как JPG (на iPhone: «Настройки» → ' +
        '«Камера» → «Форматы» → «Наиболее совместимый», или поделитесь фото из «Фото» и выберите JPG) и добавьте снова.'
      );
    }
    if (ALLOWED_EXTENSIONS.indexOf(extension) < 0) {
      return (
        'Файл «' + file.name + '» не добавлен: допустимы только JPG, PNG, PDF, DOC, DOCX, ODT, RTF и TXT.'
      );
    }
    if (file.size > MAX_FILE_SIZE) {
      return 'Файл «' + file.name + '» не добавлен: размер больше 10 МБ.';
    }
    if (file.size === 0) {
      return 'Файл «' + file.name + '» не добавлен: файл пустой.';
    }
    return '';
  }

  // ---------- Отображение ошибок ----------

  function renderFieldErrors() {
    FIELD_ORDER.forEach((slot) => {
      const box = document.getElementById(slot + '-error');
      if (!box) return;
      let message = fieldErrors[slot] || '';
      if (slot === 'attachments' && !message && fileRejections.length) message = fileRejections.join(' ');
      box.textContent = message;
    });
    FIELD_ORDER.forEach((slot) => {
      if (slot === 'contact') return;
      const el = document.getElementById(slot);
      if (!el) return;
      const invalid =
        Boolean(fieldErrors[slot]) ||
        ((slot === 'email' || slot === 'phone') && Boolean(fieldErrors.contact));
      if (invalid) el.setAttribute('aria-invalid', 'true');
      else el.removeAttribute('aria-invalid');
    });
  }

  function clearAlert() {
    alertBox.replaceChildren();
    summaryShown = false;
  }

  /** Пункт сводки: ссылка на поле с ошибкой, по нажатию — фокус на поле. */
  function summaryItem(slot) {
    const li = document.createElement('li');
    li.dataset.slot = slot;
    const link = document.createElement('a');
    const target = focusTarget(slot);
    link.href = '#' + (target ? target.id : slot);
    link.textContent = FIELD_LABELS[slot] + ': ' + fieldErrors[slot];
    link.addEventListener('click', (event) => {
      event.preventDefault();
      if (target) target.focus();
    });
    li.appendChild(link);
    return li;
  }

  /**
   * Сводка ошибок вверху формы: заголовок и список ссылок на поля.
   * extra — сообщения, которые не удалось привязать к полю.
   */
  function showAlert(title, slots, extra) {
    clearAlert();
    const heading = document.createElement('p');
    heading.className = 'alert__title';
    heading.textContent = title;
    alertBox.appendChild(heading);

    const items = (slots || []).map(summaryItem);
    (extra || []).forEach((text) => {
      const li = document.createElement('li');
      li.textContent = text;
      items.push(li);
    });
    if (items.length) {
      const ul = document.createElement('ul');
      items.forEach((li) => ul.appendChild(li));
      alertBox.appendChild(ul);
    }
    summaryShown = Boolean(slots && slots.length);
  }

  /**
   * Сводка вслед за исправлениями: пункт исправленного поля уходит, текст изменившейся ошибки обновляется, новая
   * ошибка встаёт на своё место. Пункты меняются на месте, а не всей сводкой: программа чтения экрана не
   * зачитывает её заново при каждом нажатии клавиши. Нечего показывать — сводка убирается.
   */
  function refreshSummary() {
    if (!summaryShown) return;
    const list = alertBox.querySelector('ul');
    if (!list) return;
    const shown = {};
    Array.prototype.forEach.call(list.querySelectorAll('li[data-slot]'), (li) => {
      const slot = li.dataset.slot;
      if (!fieldErrors[slot]) li.remove();
      else {
        shown[slot] = true;
        const text = FIELD_LABELS[slot] + ': ' + fieldErrors[slot];
        const link = li.querySelector('a');
        if (link.textContent !== text) link.textContent = text;
      }
    });
    orderedErrorSlots().forEach((slot, index, slots) => {
      if (shown[slot]) return;
      const later = slots.slice(index + 1).map((s) => list.querySelector('li[data-slot="' + s + '"]'));
      const before = later.find(Boolean) || list.querySelector('li:not([data-slot])');
      list.insertBefore(summaryItem(slot), before || null);
    });
    if (!list.children.length) clearAlert();
  }

  /** Общее сообщение без привязки к полям (ошибка сети, сервера и т. п.). */
  function showGeneralError(text) {
    showAlert(text, [], []);
    alertBox.scrollIntoView({ block: 'center' });
    alertBox.focus({ preventScroll: true });
  }

  function orderedErrorSlots() {
    return FIELD_ORDER.filter((slot) => fieldErrors[slot]);
  }

  function focusFirstInvalid() {
    const first = orderedErrorSlots()[0];
    const target = first ? focusTarget(first) : null;
    if (target) {
      target.focus();
      if (typeof target.scrollIntoView === 'function') target.scrollIntoView({ block: 'center' });
    } else {
      alertBox.focus();
    }
  }

  /** Повторная проверка поля после исправления (только если по нему уже была показана ошибка). */
  function revalidate(names) {
    if (!attemptedSubmit) return;
    let changed = false;
    names.forEach((name) => {
      if (!fieldErrors[name] && !(name === 'contact' && attemptedSubmit)) return;
      const message = validateField(name);
      if (message !== (fieldErrors[name] || '')) {
        if (message) fieldErrors[name] = message;
        else delete fieldErrors[name];
        changed = true;
      }
    });
    if (changed) {
      renderFieldErrors();
      refreshSummary();
    }
  }

  // ---------- Счётчик символов ----------

  function updateCounter() {
    const length = textArea.value.length;
    const trimmed = textArea.value.trim().length;
    counterValue.textContent = formatNumber(length) + ' из ' + formatNumber(TEXT_MAX) + ' символов';

    let state = 'ok';
    let note = '';
    if (trimmed < TEXT_MIN) {
      state = trimmed === 0 ? 'empty' : 'short';
      const left = TEXT_MIN - trimmed;
      note = 'нужно ещё не менее ' + left + ' ' + pluralRu(left, 'символа', 'символов', 'символов');
    } else if (trimmed > TEXT_MAX) {
      state = 'over';
      const over = trimmed - TEXT_MAX;
      note = 'превышение на ' + formatNumber(over) + ' ' + pluralRu(over, 'символ', 'символа', 'символов');
    } else if (TEXT_MAX - length <= 500) {
      state = 'near';
      const left = TEXT_MAX - length;
      note = 'осталось ' + formatNumber(left) + ' ' + pluralRu(left, 'символ', 'символа', 'символов');
    }
    counterNote.textContent = note;
    counterBox.classList.toggle('counter--error', state === 'over');

    // Для программ чтения экрана сообщаем только о смене состояния, а не о каждом нажатии клавиши.
    if (state !== counterState) {
      if (counterState !== '' && state !== 'empty') {
        if (state === 'ok') counterLive.textContent = 'Длина текста достаточна.';
        else if (state === 'near') counterLive.textContent = 'Приближается ограничение 10 000 символов.';
        else if (state === 'over') counterLive.textContent = 'Превышено ограничение 10 000 символов.';
      }
      counterState = state;
    }
  }

  // ---------- Вложения ----------

  function renderFiles() {
    fileList.replaceChildren();
    selectedFiles.forEach((file, index) => {
      const li = document.createElement('li');
      const name = document.createElement('span');
      name.className = 'file-list__name';
      name.textContent = file.name + ' ';
      const size = document.createElement('span');
      size.className = 'file-list__size';
      size.textContent = '(' + formatFileSize(file.size) + ')';
      name.appendChild(size);

      const remove = document.createElement('button');
      remove.type = 'button';
      remove.className = 'link-button';
      remove.textContent = 'Удалить';
      remove.setAttribute('aria-label', 'Удалить файл ' + file.name);
      remove.addEventListener('click', () => removeFile(index));

      li.appendChild(name);
      li.appendChild(remove);
      fileList.appendChild(li);
    });
  }

  function updateFileStatus(announcement) {
    const count = selectedFiles.length;
    const summary =
      count === 0
        ? 'Файлы не выбраны'
        : 'Выбрано ' + count + ' ' + pluralRu(count, 'файл', 'файла', 'файлов') + ' из ' + MAX_FILES;
    fileStatus.textContent = announcement ? announcement + ' ' + summary : summary;
  }

  function addFiles(list) {
    fileRejections = [];
    let added = 0;
    Array.prototype.forEach.call(list, (file) => {
      const duplicate = selectedFiles.some(
        (f) => f.name === file.name && f.size === file.size && f.lastModified === file.lastModified,
      );
      if (duplicate) return;
      const problem = checkFile(file);
      if (problem) {
        fileRejections.push(problem);
        return;
      }
      const total = selectedFiles.reduce((sum, f) => sum + f.size, 0);
      if (total + file.size > MAX_TOTAL_SIZE) {
        fileRejections.push(
          'Файл «' + file.name + '» не добавлен: все файлы вместе должны быть не больше 20 МБ.',
        );
        return;
      }
      if (selectedFiles.length >= MAX_FILES) {
        fileRejections.push('Файл «' + file.name + '» не добавлен: можно прикрепить не более 5 файлов.');
        return;
      }
      selectedFiles.push(file);
      added += 1;
    });
    delete fieldErrors.attachments;
    renderFiles();
    renderFieldErrors();
    refreshSummary();
    const parts = [];
    if (added) parts.push('Добавлено: ' + added + '.');
    if (fileRejections.length) parts.push(fileRejections.join(' '));
    updateFileStatus(parts.join(' '));
  }

  function removeFile(index) {
    const [removed] = selectedFiles.splice(index, 1);
    submissionKey = '';
    fileRejections = [];
    delete fieldErrors.attachments;
    renderFiles();
    renderFieldErrors();
    refreshSummary();
    updateFileStatus(removed ? 'Файл «' + removed.name + '» удалён.' : '');
    const buttons = fileList.querySelectorAll('button');
    const next = buttons[Math.min(index, buttons.length - 1)];
    (next || fileInput).focus();
  }

  // ---------- Отправка ----------

  const showSending = Portal.busyState(form, submitButton, sendingBox, 'Отправка…');

  function setSending(state) {
    sending = state;
    showSending(state);
  }

  function warnOnLeave(event) {
    event.preventDefault();
    event.returnValue = '';
  }

  function buildFormData() {
    const data = new FormData();
    ['surname', 'firstName', 'patronymic', 'email', 'phone', 'postalAddress', 'address', 'subject'].forEach(
      (name) => {
        const v = value(name);
        // Необязательные пустые поля не передаём, чтобы сервер не проверял пустые строки как значения.
        if (v) data.append(name, v);
      },
    );
    data.append('text', value('text'));
    data.append('consent', document.getElementById('consent').checked ? 'true' : 'false');
    selectedFiles.forEach((file) => data.append('attachments', file, file.name));
    return data;
  }

  function handleValidationResponse(body) {
    fieldErrors = {};
    const extra = [];
    const errors = body && body.errors && typeof body.errors === 'object' ? body.errors : {};
    Object.keys(errors).forEach((key) => {
      const text = Portal.messageText(errors[key]);
      if (!text) return;
      const slot = errorSlot(key);
      if (slot && document.getElementById(slot + '-error')) {
        fieldErrors[slot] = fieldErrors[slot] ? fieldErrors[slot] + ' ' + text : text;
      } else {
        extra.push(text);
      }
    });
    const title = Portal.messageText(body && body.message) || MESSAGES.summaryTitle;
    renderFieldErrors();
    showAlert(title, orderedErrorSlots(), extra);
    focusFirstInvalid();
  }

  async function submit() {
    if (!submissionKey) submissionKey = newSubmissionKey();
    setSending(true);
    clearAlert();
    window.addEventListener('beforeunload', warnOnLeave);
    const { body, refused, text, failure, status } = await Portal.request(
      ENDPOINT,
      {
        method: 'POST',
        body: buildFormData(),
        headers: { Accept: 'application/json', 'Idempotency-Key': submissionKey },
        credentials: 'same-origin',
      },
      REQUEST_TIMEOUT_MS,
      MESSAGES,
      {
        isAnswer: (b) => b && typeof b.registrationNumber === 'string' && typeof b.accessCode === 'string',
      },
    );
    window.removeEventListener('beforeunload', warnOnLeave);
    setSending(false);
    if (failure) {
      showGeneralError(failure);
      return;
    }
    if (!refused) {
      showSuccess(body, status === 200);
      return;
    }
    if (refused === 400) {
      handleValidationResponse(body);
      return;
    }
    if (refused === 413 || refused === 415) {
      // The server's own words where it gave them (which file, or the files together); a proxy's page has none.
      // A file whose contents are not what its name says (415) is tied to the files, with what to do about it:
      // it went to the top of the page alone, the list under it still showing the file and the earlier refusals.
      const errors = body && body.errors && typeof body.errors === 'object' ? body.errors : {};
      const fallback = refused === 413 ? MESSAGES.payloadTooLarge : MESSAGES.typeRefused;
      const said = Portal.messageText(errors.attachments) || fallback;
      const message = refused === 415 ? said.replace(/[.\s]*$/, '.') + ' ' + MESSAGES.typeRefusedHint : said;
      fileRejections = [];
      fieldErrors = { attachments: message };
      renderFieldErrors();
      showAlert(message, [], []);
      fileInput.focus();
      return;
    }
    showGeneralError(text);
  }

  // ---------- Успешная регистрация ----------

  function showSuccess(result, repeated) {
    document.getElementById('result-repeated').hidden = !repeated;
    document.getElementById('result-number').textContent = result.registrationNumber;
    document.getElementById('result-code').textContent = result.accessCode;
    // The appeal's zone (the region's), as on the status and rating pages, not the browser's.
    const zone = typeof result.timeZone === 'string' ? result.timeZone : undefined;
    document.getElementById('result-registered').textContent = Portal.formatDateTimeRu(
      result.registeredAt,
      false,
      zone,
    );
    document.getElementById('result-due').textContent = 'до ' + Portal.formatDateOnlyRu(result.answerDueDate);
    // The code in the fragment: the browser never sends it to the server (status.js reads and clears it).
    document.getElementById('result-status-link').href =
      'status.html?number=' +
      encodeURIComponent(result.registrationNumber) +
      '#code=' +
      encodeURIComponent(result.accessCode);

    // Что будет дальше и где гражданин узнает об этом: на почту приходят ответ и уведомления (о продлении срока,
    // о передаче в другую организацию); по почтовому адресу сотрудники отправляют ответ письмом; без того и другого
    // ответ и всё, что происходит с обращением, — на странице статуса.
    const email = Boolean(value('email'));
    const postal = Boolean(value('postalAddress'));
    if (email) {
      document.getElementById('result-next-extension').textContent =
        'о продлении и его причине сообщим по электронной почте.';
      document.getElementById('result-next-redirect').textContent = 'сообщим по электронной почте, какой.';
    }
    document.getElementById('result-answer-where').textContent = email
      ? 'Ответ придёт на указанную электронную почту; прочитать его можно будет и на странице статуса обращения.'
      : postal
        ? 'Ответ направят письмом на указанный почтовый адрес; прочитать его можно будет и на странице статуса ' +
          'обращения.'
        : 'Вы не указали электронную почту и почтовый адрес, поэтому ответ не придёт письмом: он появится на ' +
          'странице статуса обращения — откройте её по номеру и коду доступа. По телефону с вами могут ' +
          'связаться, чтобы уточнить подробности.';

    // Введённые данные больше не нужны на странице.
    form.reset();
    selectedFiles = [];
    fileRejections = [];
    fieldErrors = {};
    submissionKey = '';
    renderFiles();

    document.getElementById('appeal-section').hidden = true;
    const section = document.getElementById('success-section');
    section.hidden = false;
    document.title = 'Обращение зарегистрировано — Портал обращений граждан';
    window.scrollTo(0, 0);
    document.getElementById('success-title').focus();
  }

  function copyText(elementId, button) {
    const source = document.getElementById(elementId);
    const text = source.textContent;
    const status = document.getElementById('copy-status');
    const label = elementId === 'result-code' ? 'Код доступа' : 'Номер обращения';
    const done = () => {
      status.textContent = label + ' скопирован.';
      const original = button.textContent;
      button.textContent = 'Скопировано';
      setTimeout(() => {
        button.textContent = original;
      }, 2000);
    };
    const fallback = () => {
      const range = document.createRange();
      range.selectNodeContents(source);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      let ok = false;
      try {
        ok = document.execCommand('copy');
      } catch {
        ok = false;
      }
      if (ok) done();
      else status.textContent = label + ' выделен — скопируйте его сочетанием клавиш Ctrl+C.';
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, fallback);
    } else {
      fallback();
    }
  }

  // ---------- Обработчики ----------

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (sending) return;
    attemptedSubmit = true;
    fieldErrors = validateAll();
    renderFieldErrors();
    const slots = orderedErrorSlots();
    if (slots.length) {
      showAlert(MESSAGES.summaryTitle, slots, []);
      focusFirstInvalid();
      return;
    }
    clearAlert();
    submit();
  });

  ['surname', 'firstName', 'patronymic', 'postalAddress', 'address', 'subject'].forEach((name) => {
    const el = document.getElementById(name);
    el.addEventListener('input', () => revalidate([name]));
  });
  document.getElementById('email').addEventListener('input', () => revalidate(['email', 'contact']));
  document.getElementById('phone').addEventListener('input', () => revalidate(['phone', 'contact']));
  document.getElementById('consent').addEventListener('change', () => revalidate(['consent']));
  textArea.addEventListener('input', () => {
    updateCounter();
    revalidate(['text']);
  });

  // Правка заполнения после неудачной отправки — уже другое обращение.
  form.addEventListener('input', () => {
    if (!sending) submissionKey = '';
  });

  fileInput.addEventListener('change', () => {
    if (fileInput.files && fileInput.files.length) addFiles(fileInput.files);
    // Очищаем поле, чтобы можно было добавить ещё файлы (в том числе тот же файл после удаления).
    fileInput.value = '';
  });

  document.querySelectorAll('[data-copy]').forEach((button) => {
    button.addEventListener('click', () => copyText(button.getAttribute('data-copy'), button));
  });
  document.getElementById('print-button').addEventListener('click', () => window.print());

  updateCounter();
  updateFileStatus('');
})();

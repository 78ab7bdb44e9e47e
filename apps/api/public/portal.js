/* global window, document, fetch, URL, AbortController, setTimeout, clearTimeout */
// Общее для скриптов страниц портала (form.js, status.js, faq.js, rating-form.js, answer-files.js): даты по-русски,
// текст сообщения сервера, запрос с ограничением времени ожидания и его итог, состояние ожидания формы, скачивание
// файла запросом POST. Подключается первым (страницы собирает
// apps/api/src/public-site).
(function () {
  'use strict';

  const MONTHS_GENITIVE = [
    'января',
    'февраля',
    'марта',
    'апреля',
    'мая',
    'июня',
    'июля',
    'августа',
    'сентября',
    'октября',
    'ноября',
    'декабря',
  ];

  /** Formatters by zone: an unknown zone (an old server's answer) reads as the browser's own. */
  const formatters = {};

  function formatterIn(timeZone) {
    const key = timeZone || '';
    if (!formatters[key]) {
      const options = {
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      };
      try {
        formatters[key] = new Intl.DateTimeFormat(
          'ru-RU',
          Object.assign({ timeZone: key || undefined }, options),
        );
      } catch {
        formatters[key] = new Intl.DateTimeFormat('ru-RU', options);
      }
    }
    return formatters[key];
  }

  function offsetOf(timeZone, date) {
    try {
      const part = new Intl.DateTimeFormat('en-US', { timeZone: timeZone, timeZoneName: 'shortOffset' })
        .formatToParts(date)
        .find((p) => p.type === 'timeZoneName');
      return (part ? part.value : 'GMT').replace('GMT', 'UTC');
    } catch {
      return '';
    }
  }

  /** Russian names of the region's zones; any other reads as its offset alone, as on the staff screens. */
  const ZONE_CITIES = {
    'Asia/Novosibirsk': 'Новосибирск',
    'Asia/Omsk': 'Омск',
    'Asia/Krasnoyarsk': 'Красноярск',
    'Asia/Tomsk': 'Томск',
    'Europe/Moscow': 'Москва',
  };

  /** «Новосибирск, UTC+7» when the zone reads the instant otherwise than the browser does, else ''. */
  function zoneNote(timeZone, date) {
    const offset = timeZone ? offsetOf(timeZone, date) : '';
    const own = offsetOf(Intl.DateTimeFormat().resolvedOptions().timeZone, date);
    if (!offset || offset === own) return '';
    return ZONE_CITIES[timeZone] ? ZONE_CITIES[timeZone] + ', ' + offset : offset;
  }

  /**
   * «22 декабря 2026 г.» (и время, если withTime) для даты/времени ISO в часовом поясе обращения timeZone (как
   * у сотрудников), а не браузера; у времени — пояс, если он не совпадает с поясом браузера:
   * «2 декабря 2026 г., 00:30 (Новосибирск, UTC+7)».
   */
  function formatDateTimeRu(iso, withTime, timeZone) {
    const date = new Date(iso);
    if (!iso || Number.isNaN(date.getTime())) return iso || '—';
    const parts = {};
    formatterIn(timeZone)
      .formatToParts(date)
      .forEach((p) => {
        parts[p.type] = p.value;
      });
    const day = Number(parts.day) + ' ' + MONTHS_GENITIVE[Number(parts.month) - 1] + ' ' + parts.year + ' г.';
    if (!withTime) return day;
    const note = zoneNote(timeZone, date);
    return day + ', ' + parts.hour + ':' + parts.minute + (note ? ' (' + note + ')' : '');
  }

  /** «22 декабря 2026 г.» для календарной даты 'YYYY-MM-DD' (без сдвига часового пояса). */
  function formatDateOnlyRu(ymd) {
    const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(ymd || '');
    if (!match) return ymd || '—';
    const month = Number(match[2]);
    if (month < 1 || month > 12) return ymd;
    return Number(match[3]) + ' ' + MONTHS_GENITIVE[month - 1] + ' ' + match[1] + ' г.';
  }

  /**
   * The server's message: a string or an array of strings (NestJS ValidationPipe's default), and only a Russian one:
   * an English message («Bad Request», «Forbidden», «Too Many Requests») comes from a framework's default or a proxy or
   * gateway in front of the api, and the page says it in its own words instead.
   */
  function messageText(message) {
    const russian = (m) => typeof m === 'string' && /[а-яё]/i.test(m);
    if (typeof message === 'string') return russian(message) ? message : '';
    if (Array.isArray(message)) return message.filter(russian).join('. ');
    return '';
  }

  function pluralRu(n, one, few, many) {
    const mod10 = n % 10;
    const mod100 = n % 100;
    if (mod10 === 1 && mod100 !== 11) return one;
    if (mod10 >= 2 && mod10 <= 4 && (mod100 < 12 || mod100 > 14)) return few;
    return many;
  }

  /** « Повторить можно через 40 минут.» по заголовку Retry-After (секунды), иначе пустая строка. */
  function retryText(response) {
    const seconds = Number(response.headers.get('Retry-After'));
    if (!Number.isFinite(seconds) || seconds <= 0) return '';
    const minutes = Math.ceil(seconds / 60);
    const hours = Math.ceil(minutes / 60);
    const wait =
      minutes > 90
        ? hours + ' ' + pluralRu(hours, 'час', 'часа', 'часов')
        : minutes + ' ' + pluralRu(minutes, 'минуту', 'минуты', 'минут');
    return ' Повторить можно через ' + wait + '.';
  }

  /** Тело ответа как JSON или null, если это не JSON. */
  async function readJson(response) {
    try {
      return await response.json();
    } catch {
      return null;
    }
  }

  /**
   * Что сказать гражданину об отказе сервера: слишком много запросов, ошибка сервера или сообщение сервера
   * (иначе fallback).
   */
  function refusalText(response, body, messages, fallback) {
    if (response.status === 429) {
      // The server's own reason (too many wrong codes, the day's volume of files) and when to come back.
      const reason = messageText(body && body.message) || messages.tooManyRequests;
      return reason + (/[.!?…]$/.test(reason) ? '' : '.') + retryText(response);
    }
    if (response.status >= 500) return messages.serverError;
    return messageText(body && body.message) || fallback;
  }

  /**
   * fetch, прерванный через timeoutMs до заголовков ответа: `{ response }` или `{ failure }`, где failure —
   * 'timeout' либо 'network'.
   */
  async function fetchWithin(url, init, timeoutMs) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      return { response: await fetch(url, Object.assign({}, init, { signal: controller.signal })) };
    } catch (error) {
      return { failure: error && error.name === 'AbortError' ? 'timeout' : 'network' };
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Ask our API within timeoutMs and say what came of it:
   * `{ body, status }` — it answered 2xx (`status`) with what `options.isAnswer(body)` expects;
   * `{ refused, body, text }` — it refused with the status `refused`; `text` is what to tell the citizen where the
   * page has nothing better for that status (too many requests, a server error, the server's message, else
   * `messages.refused` with the status);
   * `{ failure }` — the citizen's text for a timeout, a network error or a 2xx answer that is not one.
   */
  async function request(url, init, timeoutMs, messages, options) {
    const { response, failure } = await fetchWithin(url, init, timeoutMs);
    if (failure) return { failure: failure === 'timeout' ? messages.timeout : messages.networkError };
    const body = await readJson(response);
    if (response.ok) {
      return options.isAnswer(body) ? { body, status: response.status } : { failure: messages.badResponse };
    }
    const fallback = messages.refused + ' (код ответа ' + response.status + '). Попробуйте ещё раз.';
    return { refused: response.status, body, text: refusalText(response, body, messages, fallback) };
  }

  /**
   * A form's waiting state while its request runs: `set(true)` disables the button and labels it `busyLabel`,
   * shows the progress box and marks the form aria-busy; `set(false)` puts the button's own label back.
   */
  function busyState(form, button, box, busyLabel) {
    const idleLabel = button.textContent.trim();
    return function set(busy) {
      button.disabled = busy;
      button.textContent = busy ? busyLabel : idleLabel;
      box.hidden = !busy;
      form.setAttribute('aria-busy', busy ? 'true' : 'false');
    };
  }

  /**
   * What a page behind a personal link says of its answer (rate.html, answer-files.html): «Обращение № … : ответ
   * <организация> от <дата>.», the date in the appeal's zone (the region's), not the browser's; «г.» ends the sentence.
   */
  function answerLeadRu(view) {
    return (
      'Обращение № ' +
      view.registrationNumber +
      ': ответ ' +
      view.organisation +
      (view.sentAt ? ' от ' + formatDateTimeRu(view.sentAt, false, view.timeZone) : '.')
    );
  }

  /**
   * A file asked for by POST with its key in the body (never in the address), then saved from memory; `link` is
   * marked busy meanwhile. Returns nothing when saved, else the citizen's text of why not (`fallback` where the
   * server says nothing better).
   */
  async function downloadPosted(url, body, fileName, link, messages, fallback) {
    link.setAttribute('aria-busy', 'true');
    let response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        credentials: 'same-origin',
        cache: 'no-store',
        body: JSON.stringify(body),
      });
    } catch {
      link.removeAttribute('aria-busy');
      return messages.networkError;
    }
    link.removeAttribute('aria-busy');
    if (!response.ok) return refusalText(response, await readJson(response), messages, fallback);
    const objectUrl = URL.createObjectURL(await response.blob());
    const save = document.createElement('a');
    save.href = objectUrl;
    save.download = fileName;
    save.hidden = true;
    document.body.appendChild(save);
    save.click();
    save.remove();
    setTimeout(() => URL.revokeObjectURL(objectUrl), 60 * 1000);
    return undefined;
  }

  window.Portal = {
    answerLeadRu,
    downloadPosted,
    formatDateTimeRu,
    formatDateOnlyRu,
    messageText,
    readJson,
    refusalText,
    fetchWithin,
    pluralRu,
    request,
    busyState,
  };
})();

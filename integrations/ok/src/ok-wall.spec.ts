import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { okSignature } from './ok-rest';
import { commentItem, readComments, readTopics, topicItem } from './ok-wall';

// Our own REST answers in the shapes of OK's (test/fixtures/ok/rest-*.json).
const FIXTURES = path.resolve(__dirname, '../../../test/fixtures/ok');
const fixture = (name: string) =>
  JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8')) as Record<string, unknown>;

describe('OK wall (REST answers → items)', () => {
  it("reads a citizen's topic with the author's name; the group's own news is a topic, not the citizen's", () => {
    const { topics, names, problems } = readTopics(fixture('rest-mediatopic-get-topics.json'));
    expect(problems).toEqual([]);
    expect(topics.map((t) => [t.id, t.authorRef, t.commentsCount])).toEqual([
      ['155612843302741', 'user:577120034411', 0],
      ['155612843290015', 'group:70000042187711', 1],
    ]);
    expect(topicItem(topics[0], names)).toEqual({
      channel: 'ok',
      externalId: 'topic:155612843302741',
      receivedAt: new Date(1741860123456).toISOString(),
      regime: 'message',
      author: { externalId: 'user:577120034411', displayName: 'Анна Смирнова' },
      text: 'На ул. Заводской, 5 с понедельника нет горячей воды, в управляющей компании трубку не берут.',
      attachments: [],
      thread: { key: 'topic:155612843302741' },
      replyAddress: { topicId: '155612843302741' },
      features: { source: 'wall' },
    });
  });

  it("turns a citizen's comment under the group's news into an item answered in its thread", () => {
    const { comments, problems } = readComments(
      '155612843290015',
      fixture('rest-discussions-get-comments.json'),
    );
    expect(problems).toEqual([]);
    expect(comments).toHaveLength(1);
    expect(commentItem('155612843290015', comments[0])).toEqual({
      channel: 'ok',
      externalId: 'comment:155612843290015:MTc0MTg2MDk5OTAwMDo1ODMwMDE=',
      receivedAt: '2025-03-13T10:16:39.000Z',
      regime: 'message',
      author: { externalId: 'user:580000000017', displayName: 'Пётр Иванов' },
      text: 'А тротуар у дома 12 по Гоголя тоже починят? Там яма во всю ширину, ходить негде.',
      attachments: [],
      // One thread per author under the topic, referring to the topic.
      thread: {
        key: 'topic:155612843290015/from:user:580000000017',
        refersTo: ['topic:155612843290015'],
      },
      replyAddress: { topicId: '155612843290015', commentId: 'MTc0MTg2MDk5OTAwMDo1ODMwMDE=' },
      features: { source: 'wall' },
    });
  });

  it("reads `date` as Moscow time when there is no date_ms, marks the group's comments, names a replied comment", () => {
    const answer = fixture('rest-discussions-get-comments.json');
    const [c] = answer.comments as Record<string, unknown>[];
    delete c.date_ms;
    c.reply_to_comment_id = 'MTc0MTg1OTAwMDAwMDo1ODI5OTk=';
    const [comment] = readComments('155612843290015', answer).comments;
    expect(comment).toMatchObject({ dateMs: Date.parse('2025-03-13T10:16:39Z'), byGroup: false });
    expect(commentItem('155612843290015', comment).thread?.refersTo).toEqual([
      'topic:155612843290015',
      'topic:155612843290015/comment:MTc0MTg1OTAwMDAwMDo1ODI5OTk=',
    ]);
    c.author_ref = 'group:70000042187711';
    expect(readComments('155612843290015', answer).comments[0].byGroup).toBe(true);
  });

  it("reads a citizen's topic photos as attachments, each by the URL of its largest size", () => {
    const { topics, names, problems } = readTopics(fixture('rest-mediatopic-get-topics-photo.json'));
    expect(problems).toEqual([]);
    expect(topicItem(topics[0], names)).toMatchObject({
      externalId: 'topic:155612843355108',
      text: 'Во дворе дома 14 по ул. Мира после ремонта теплотрассы оставили открытую траншею, фото прилагаю.',
      attachments: [
        {
          fileName: 'photo-913370005521.jpg',
          contentType: 'image/jpeg',
          remoteRef: 'https://i.mycdn.me/i?r=AyH4iRPQ2q0otWIFepML2LxRmk2xKm3oWfr1Wq0Bz1Qyhw&fn=w_1024',
        },
        {
          fileName: 'photo-913370005522.jpg',
          contentType: 'image/jpeg',
          remoteRef: 'https://i.mycdn.me/i?r=AyH4iRPQ2q0otWIFepML2LxRmk2xKm3oWfr1Wq0Bz1Qyhx&fn=max',
        },
      ],
    });
  });

  it("reads the photo attached to a citizen's comment from the answer's entities", () => {
    const { comments, problems } = readComments(
      '155612843290015',
      fixture('rest-discussions-get-comments-photo.json'),
    );
    expect(problems).toEqual([]);
    expect(commentItem('155612843290015', comments[0])).toMatchObject({
      externalId: 'comment:155612843290015:MTc0MTk0NzIwMTAwMDo1ODMxNDQ=',
      text: 'Вот эта яма у дома 12 по Гоголя, вчера в неё провалилась коляска.',
      attachments: [
        {
          fileName: 'photo-913370005607.jpg',
          contentType: 'image/jpeg',
          remoteRef: 'https://i.mycdn.me/i?r=AyH4iRPQ2q0otWIFepML2Lxa0Vbq7n2VzYw2bXo9rTyKqw&fn=w_640',
        },
      ],
    });
  });

  it('says what a topic or a comment holds besides text and photos: a link, a video, a poll, an unknown type', () => {
    const answer = fixture('rest-mediatopic-get-topics.json');
    const [topic] = answer.media_topics as Record<string, unknown>[];
    topic.media = [
      { type: 'text', text: 'Смотрите видео' },
      { type: 'movie', movie_refs: ['movie:1'] },
      { type: 'link', url: 'https://gorod.example.ru/news/1', title: 'Новость' },
      { type: 'poll', poll: { question: 'Нужен ли светофор?' } },
      { type: 'app', app_ref: 'app:1' },
    ];
    expect(readTopics(answer).topics[0].text).toBe(
      [
        'Смотрите видео',
        'Видео',
        'Ссылка: Новость — https://gorod.example.ru/news/1',
        'Опрос: Нужен ли светофор?',
        'Вложение не распознано (app)',
      ].join('\n\n'),
    );
    const comments = fixture('rest-discussions-get-comments.json');
    const [comment] = comments.comments as Record<string, unknown>[];
    comment.text = '';
    comment.attachments = [{ type: 'MOVIE', ref: 'movie:2' }];
    expect(readComments('1', comments).comments[0].text).toBe('Видео');
  });

  it('reads a photo given inline, says one it cannot find and takes a photo named twice once', () => {
    const answer = fixture('rest-discussions-get-comments-photo.json');
    const [c] = answer.comments as Record<string, unknown>[];
    c.attachments = [
      { type: 'PHOTO', ref: 'group_photo:913370005607' },
      { type: 'PHOTO', photo_refs: ['group_photo:913370005607', 'group_photo:404'] },
      { type: 'PHOTO', photo: { id: '77', pic640x480: 'https://i.mycdn.me/i?r=inline&fn=w_640' } },
      { type: 'LINK', url: 'https://gorod.example.ru/' },
    ];
    const [comment] = readComments('155612843290015', answer).comments;
    expect(commentItem('155612843290015', comment).attachments?.map((a) => a.fileName)).toEqual([
      'photo-913370005607.jpg',
      'photo-77.jpg',
    ]);
    // The photo it cannot find is said, not skipped without a word.
    expect(comment.text).toContain(
      'Вложение не распознано (фото без ссылки), откройте запись в Одноклассниках',
    );
  });

  it('says a photo it cannot read and an entry with nothing to read, instead of an empty appeal', () => {
    const answer = fixture('rest-mediatopic-get-topics.json');
    const [topic] = answer.media_topics as Record<string, unknown>[];
    // A citizen's photos whose entities the answer lacks (asked without their type), and one without any URL.
    topic.media = [
      { type: 'photo', photo_refs: ['user_photo:913370005611', 'user_photo:913370005612'] },
      { type: 'photo', photos: [{ id: '913370005613' }] },
    ];
    const read = readTopics(answer);
    expect(topicItem(read.topics[0], read.names)).toMatchObject({
      text: 'Вложение не распознано (фото без ссылки: 3), откройте запись в Одноклассниках',
      attachments: [],
    });
    topic.media = [];
    const empty = readTopics(answer);
    expect(topicItem(empty.topics[0], empty.names).text).toBe(
      'Сообщение не распознано. Откройте запись в Одноклассниках.',
    );
    const comments = fixture('rest-discussions-get-comments.json');
    const [comment] = comments.comments as Record<string, unknown>[];
    comment.text = '';
    comment.attachments = [{ type: 'PHOTO', ref: 'group_photo:404' }];
    const [photoless] = readComments('1', comments).comments;
    expect(commentItem('1', photoless)).toMatchObject({
      text: 'Вложение не распознано (фото без ссылки), откройте запись в Одноклассниках',
      attachments: [],
    });
    delete comment.attachments;
    const [blank] = readComments('1', comments).comments;
    expect(commentItem('1', blank).text).toBe(
      'Сообщение не распознано. Откройте комментарий в Одноклассниках.',
    );
  });

  it('reports an entry it cannot read, keeping it whole', () => {
    const broken = { id: 'X1', text: 'без автора и даты' };
    expect(readComments('1', { comments: [broken] })).toEqual({
      comments: [],
      problems: [
        {
          externalId: 'comment:1:X1',
          reason: 'OK discussions.getComments: a comment without id, author_id or date',
          raw: broken,
        },
      ],
    });
    expect(readTopics({ media_topics: [{ media: [] }] }).problems).toHaveLength(1);
    // A time past the year 9999 is none: topicItem and commentItem threw a RangeError on it.
    const far = { id: 'X2', author_id: '5', text: 'когда?', date_ms: 9e15 };
    expect(readComments('1', { comments: [far] }).problems.map((p) => p.externalId)).toEqual([
      'comment:1:X2',
    ]);
    const topic = { id: 'T1', author_ref: 'user:5', created_ms: 9e15, media: [] };
    expect(readTopics({ media_topics: [topic] }).problems.map((p) => p.externalId)).toEqual(['topic:T1']);
  });

  it('signs REST calls as OK does: sorted name=value pairs, then md5(token + application secret)', () => {
    const md5 = (s: string) => createHash('md5').update(s).digest('hex');
    const params = { method: 'mediatopic.getTopics', gid: '1', application_key: 'K', format: 'json' };
    expect(okSignature({ ...params, access_token: 'T', sig: 'x' }, 'T', 'S')).toBe(
      md5(`application_key=Kformat=jsongid=1method=mediatopic.getTopics${md5('TS')}`),
    );
  });
});

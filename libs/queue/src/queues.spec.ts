import { InvalidJobPayloadError, JobName, parseJobPayload } from './queues';

describe('job payloads', () => {
  it('accepts a well-formed payload', () => {
    const id = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';
    expect(parseJobPayload(JobName.NormaliseInboundItem, { inboundItemId: id })).toEqual({
      inboundItemId: id,
    });
  });

  it('rejects a malformed one as it comes off the queue', () => {
    expect(() => parseJobPayload(JobName.NormaliseInboundItem, { inboundItemId: 42 })).toThrow(
      InvalidJobPayloadError,
    );
    expect(() => parseJobPayload(JobName.SweepPendingItems, null)).toThrow(/olderThanMs/);
    expect(() => parseJobPayload(JobName.SweepUnclassified, { olderThanMs: -1 })).toThrow(
      'olderThanMs must be a non-negative number',
    );
    expect(() => parseJobPayload(JobName.ClassifyAppeal, { appealId: 'x' })).toThrow(
      'appealId must be a UUID',
    );
  });

  it('takes an account id on the delivery jobs, and only a UUID there', () => {
    const id = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';
    expect(parseJobPayload(JobName.DeliverBotReply, { botReplyId: id, accountId: id })).toEqual({
      botReplyId: id,
      accountId: id,
    });
    expect(() =>
      parseJobPayload(JobName.DeliverOutboundMessage, { outboundMessageId: id, accountId: 7 }),
    ).toThrow('outboundMessageId must be a UUID, and accountId a UUID if given');
    expect(() => parseJobPayload(JobName.NormaliseInboundBatch, { inboundItemIds: [id, 'x'] })).toThrow(
      'inboundItemIds must be 1–500 UUIDs',
    );
    expect(() => parseJobPayload(JobName.RetrainClassifier, { reason: 'manual', requestedBy: 'x' })).toThrow(
      /requestedBy/,
    );
  });
});

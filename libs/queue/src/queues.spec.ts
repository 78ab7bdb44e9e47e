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
  });
});

import * as core from '@kvs-sig/core';

test('createSignaling carries every client-side construct*/parse* export', () => {
  const s = core.createSignaling({ region: 'us-west-2' }) as unknown as Record<string, unknown>;
  // The service-side helpers (for the emulator) are deliberately not on the client object.
  const serviceSide = new Set(['parseWssSendMessage', 'constructWssRecvMessage']);
  const names = Object.keys(core).filter((k) => /^(construct|parse)[A-Z]/.test(k) && !serviceSide.has(k) && k !== 'parseChannelArn');
  expect(names.length).toBeGreaterThanOrEqual(25);
  for (const name of names) expect({ name, type: typeof s[name] }).toEqual({ name, type: 'function' });
  expect(s.controlPlaneEndpoint).toBe('https://kinesisvideo.us-west-2.amazonaws.com');
});

test('bound parsers and data-plane builders behave like the free functions', () => {
  const s = core.createSignaling({ region: 'us-west-2' });
  const text = '{"ChannelARN":"arn:aws:kinesisvideo:us-west-2:123456789012:channel/c/1234567890123"}';
  expect(s.parseCreateSignalingChannelResponse(text)).toEqual(core.parseCreateSignalingChannelResponse(text));
  const input = { httpsEndpoint: 'https://r.example.com', channelArn: 'arn:aws:kinesisvideo:us-west-2:123456789012:channel/c/1234567890123' };
  expect(s.constructGetIceServerConfigRequest(input)).toEqual(core.constructGetIceServerConfigRequest(input));
});

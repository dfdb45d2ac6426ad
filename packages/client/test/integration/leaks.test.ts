import { Harness, candidate, offer, until } from '../support/helpers';

function handles(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) out[r] = (out[r] ?? 0) + 1;
  return out;
}

test('no socket, timer or listener is left after close (through reconnects, GO_AWAY and ICE refresh)', async () => {
  await new Promise((r) => setTimeout(r, 20));
  const before = handles();
  const h = await Harness.start({ limits: { goAwayGraceMs: 2000 } });
  const master = h.master('leaks', { createChannelIfMissing: true, keepaliveIntervalMs: 50, reconnect: { initialDelayMs: 10 } });
  await master.connect();
  const viewer = h.viewer('leaks', 'v1', { keepaliveIntervalMs: 50, reconnect: { initialDelayMs: 10 } });
  await viewer.connect();
  const got = master.waitFor('sdpOffer');
  await viewer.sendSdpOffer(offer);
  await got;
  await viewer.getIceServers();
  h.emu.faults.dropConnections({ role: 'VIEWER' });
  await viewer.waitFor('open', { timeoutMs: 3000 });
  h.emu.faults.goAway({ role: 'MASTER' });
  await master.waitFor('open', { timeoutMs: 3000 });
  h.emu.faults.reconnectIceServer({ role: 'VIEWER' });
  await viewer.waitFor('iceServersChanged', { timeoutMs: 3000 });
  await viewer.sendIceCandidate(candidate(1));
  // Pending waiters and iterators must be released by close as well.
  const pending = master.waitFor('sdpAnswer').catch((e: { code: string }) => e.code);
  const iter = master.messages()[Symbol.asyncIterator]().next();
  await h.stop();
  expect(await pending).toBe('CLIENT_CLOSED');
  expect((await iter).done).toBe(true);
  for (const c of [master, viewer]) {
    expect(c.state).toBe('closed');
    expect(c.listenerCount()).toBe(0);
    expect(c.metrics().queued).toBe(0);
  }
  await until(
    () => {
      const now = handles();
      return Object.entries(now).every(([k, n]) => n <= (before[k] ?? 0));
    },
    2000,
    'handles back to the baseline',
  );
  expect(Object.entries(handles()).filter(([k, n]) => n > (before[k] ?? 0))).toEqual([]);
});

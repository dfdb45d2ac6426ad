/**
 * The emulator as a child process, for the hostile-operations scenarios that
 * act on the process itself (SIGSTOP, SIGKILL and a restart on the same port):
 * `node --conditions=@kvs-sig/source --import tsx emulator-child.ts '<json>'`
 * with `{ port, tls, credentials, accountId, limits, channels }`. It serves the
 * given certificate and keys (so a restart is the same service to its clients),
 * creates the named channels, prints one JSON line `{ endpoint, port }` when
 * ready, and closes when its stdin ends (its parent went away) or on SIGTERM.
 * @packageDocumentation
 */
import { ChannelManager } from '@kvs-sig/client';
import { startEmulator } from '@kvs-sig/emulator';
import type { EmulatorCredentials, EmulatorLimits, EmulatorTlsMaterial } from '@kvs-sig/emulator';

interface ChildConfig {
  port: number;
  tls: EmulatorTlsMaterial;
  credentials: EmulatorCredentials;
  accountId: string;
  limits?: Partial<EmulatorLimits>;
  channels?: string[];
}

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '{}') as ChildConfig;
  // Without `ca` the emulator writes no CA file, so a SIGKILLed incarnation leaves no temp files behind.
  const emu = await startEmulator({ port: config.port, tls: { cert: config.tls.cert, key: config.tls.key }, credentials: config.credentials, accountId: config.accountId, ...(config.limits ? { limits: config.limits } : {}) });
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    emu.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', stop);
  process.stdin.on('end', stop);
  process.stdin.resume();
  // The service keeps its channels across a restart of one of its hosts; the emulator keeps
  // no state, so the channel is created again (same name, a new ARN) before anyone is told it is up.
  if (config.channels && config.channels.length > 0) {
    const manager = new ChannelManager({ region: emu.region, endpoint: emu.controlPlaneEndpoint, credentials: config.credentials, tls: { ca: config.tls.ca ?? '' } });
    for (const name of config.channels) await manager.createChannel({ channelName: name }).catch(() => undefined);
    await manager.close();
  }
  process.stdout.write(`${JSON.stringify({ endpoint: emu.controlPlaneEndpoint, port: Number(new URL(emu.controlPlaneEndpoint).port) })}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`emulator child: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(2);
});

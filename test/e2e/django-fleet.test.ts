// The fleet backend under worker restarts: two (then three) daphne workers of the example
// project on one Redis channel layer and one SQLite database, 300 simulated kiosks speaking
// the brief's protocol over real sockets. A worker stopped with SIGTERM, and one killed
// with SIGKILL, take their kiosks offline within the presence timeout (3 s here, set through
// the environment; the default is 30 s, asserted by the Django suite), the kiosks come back
// online on another worker, no delivery is marked "sent" to a connection that is gone, and
// every delivery is terminal by its expiry.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareDjango, startRedis, TERMINAL, type CommandStatus, type Daphne, type DjangoProject, type FleetStatus } from '../support/django.ts';
import { SimFleet } from '../support/sim-kiosk.ts';
import { waitFor } from '../support/wait.ts';

const COUNT = 300;
const PRESENCE_TIMEOUT_S = 3;

describe('two daphne workers, 300 kiosks, workers stopped and killed', () => {
  let redis: { url: string; stop(): Promise<void> };
  let project: DjangoProject;
  let a: Daphne;
  let b: Daphne;
  let c: Daphne | undefined;
  let fleet: SimFleet;

  const fleetStatus = () => project.manageJson<FleetStatus>('kiosk_fleet_status');
  const commandStatus = (id: string) => project.manageJson<CommandStatus>('kiosk_command_status', id);
  const onlineIds = async () => new Set(Object.entries((await fleetStatus()).kiosks).filter(([, k]) => k.online).map(([id]) => id));

  /** Polls until `pred(online ids)` holds; returns the seconds it took from `since`. */
  async function untilPresence(pred: (online: Set<string>) => boolean, since: number, what: string): Promise<number> {
    let last = new Set<string>();
    try {
      await waitFor(async () => pred((last = await onlineIds())), { timeoutMs: 45_000, intervalMs: 200, what });
    } catch (error) {
      throw new Error(`${String(error)}; ${last.size} online, ${fleet.open.length} sockets open`, { cause: error });
    }
    return (Date.now() - since) / 1000;
  }

  /** No delivery past "pending" for a kiosk that never received its frame. */
  function assertSentOnlyWhenReceived(status: CommandStatus): void {
    for (const [kioskId, { status: state }] of Object.entries(status.kiosks)) {
      if (state === 'pending' || (state === 'expired' && status.kiosks[kioskId]?.reason === 'not-delivered')) continue;
      const kiosk = fleet.byId(kioskId);
      expect(kiosk.framesFor(status.id).length, `${kioskId} is ${state} for ${status.id} but never got the frame`).toBeGreaterThan(0);
    }
  }

  beforeAll(async () => {
    redis = await startRedis();
    project = await prepareDjango({
      KIOSK_REDIS_URL: redis.url,
      KIOSK_FLEET_PRESENCE_TIMEOUT_SECONDS: String(PRESENCE_TIMEOUT_S),
      KIOSK_FLEET_BACKLOG_STEP_SECONDS: '2',
    });
    const enrolled = await project.enrollFleet(COUNT, 'sim');
    [a, b] = await Promise.all([project.startDaphne(), project.startDaphne()]);
    fleet = new SimFleet(
      enrolled.map((k, i) => ({ id: k.id, token: k.token, groups: k.groups, urls: i < COUNT / 2 ? [a.wsUrl, b.wsUrl] : [b.wsUrl, a.wsUrl], reconnectDelayMs: 100 })),
    );
    await fleet.start();
    await waitFor(() => fleet.open.length === COUNT, { timeoutMs: 60_000, intervalMs: 100, what: 'all kiosks connected' });
    await untilPresence((online) => online.size === COUNT, Date.now(), 'all kiosks online');
  }, 180_000);

  afterAll(async () => {
    await fleet?.stop();
    await Promise.all([a?.stop(), b?.stop(), c?.stop()]);
    await redis?.stop();
  });

  it('SIGTERM: the worker\'s kiosks go offline, get what they missed on hello, and come back online on the other worker', async () => {
    // Where each kiosk is now (a handshake that failed under load moved a kiosk on to the other).
    const onA = fleet.kiosks.filter((k) => k.url === a.wsUrl);
    const onB = fleet.kiosks.filter((k) => k.url === b.wsUrl);
    console.log(`SIGTERM: ${onA.length} kiosks on A, ${onB.length} on B; ${fleet.kiosks.filter((k) => k.connections > 1).length} needed more than one handshake`);
    expect(onA.length).toBeGreaterThan(COUNT / 4);
    for (const k of onA) k.hold(); // they stay away until we have looked
    const stoppedAt = Date.now();
    await a.stop();
    const offlineAfter = await untilPresence((online) => onA.every((k) => !online.has(k.id)) && onB.every((k) => online.has(k.id)), stoppedAt, 'worker A\'s kiosks offline');
    console.log(`SIGTERM: ${onA.length} kiosks offline ${offlineAfter.toFixed(1)} s after the signal (presence timeout ${PRESENCE_TIMEOUT_S} s)`);
    expect(offlineAfter).toBeLessThan(30);

    const id = await project.command('home', '--all', '--expires-in', '60');
    await waitFor(() => onB.every((k) => k.answered.has(id)), { timeoutMs: 30_000, intervalMs: 100, what: 'B\'s kiosks to answer' });
    let status = await commandStatus(id);
    for (const k of onB) expect(status.kiosks[k.id]?.status).toBe('done');
    for (const k of onA) expect(status.kiosks[k.id]).toEqual({ status: 'pending', reason: null });
    expect(onA.every((k) => k.framesFor(id).length === 0)).toBe(true);

    const releasedAt = Date.now();
    for (const k of onA) k.release(); // each reconnects to its next URL: worker B
    const backAfter = await untilPresence((online) => online.size === COUNT, releasedAt, 'A\'s kiosks back online on B');
    console.log(`SIGTERM: ${onA.length} kiosks back online on the other worker ${backAfter.toFixed(1)} s after they reconnected`);
    await waitFor(async () => Object.values((status = await commandStatus(id)).kiosks).every((k) => k.status === 'done'), {
      timeoutMs: 30_000,
      intervalMs: 300,
      what: 'every delivery done',
    });
    for (const k of fleet.kiosks) {
      const frames = k.framesFor(id);
      expect(frames.length, k.id).toBeGreaterThan(0);
      expect(frames[0]?.frame.target).toEqual({ kiosks: [k.id] }); // its own id, never the fleet
    }
    assertSentOnlyWhenReceived(status);
  }, 120_000);

  it('SIGKILL: no delivery is marked sent to the dead worker\'s connections, and its kiosks go offline and come back', async () => {
    // Spread the fleet over B and a new worker C again.
    c = await project.startDaphne();
    const cUrl = c.wsUrl;
    const moved = fleet.kiosks.filter((_, i) => i % 2 === 0);
    const stay = fleet.kiosks.filter((_, i) => i % 2 === 1);
    for (const k of moved) {
      k.retarget([cUrl]);
      k.drop();
    }
    await untilPresence((online) => online.size === COUNT && moved.every((k) => k.isOpen && k.url === cUrl), Date.now(), 'half the fleet on C');
    expect(stay.every((k) => k.isOpen && k.url === b.wsUrl)).toBe(true);
    for (const k of stay) {
      k.hold();
      k.retarget([cUrl]);
    }

    const killedAt = Date.now();
    await b.kill();
    // At once, while the dead worker's heartbeat may still be fresh enough to count its kiosks
    // as online: whatever presence says, only a written frame makes a delivery "sent".
    const id = await project.command('restart', '--all', '--expires-in', '60');
    console.log(`SIGKILL: the command was sent ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill`);
    await waitFor(() => moved.every((k) => k.answered.has(id)), { timeoutMs: 30_000, intervalMs: 100, what: 'C\'s kiosks to answer' });
    let status = await commandStatus(id);
    for (const k of stay) expect(status.kiosks[k.id], k.id).toEqual({ status: 'pending', reason: null });
    for (const k of moved) expect(status.kiosks[k.id]?.status).toBe('done');
    assertSentOnlyWhenReceived(status);

    const offlineAfter = await untilPresence((online) => stay.every((k) => !online.has(k.id)) && moved.every((k) => online.has(k.id)), killedAt, 'the killed worker\'s kiosks offline');
    console.log(`SIGKILL: ${stay.length} kiosks offline ${offlineAfter.toFixed(1)} s after the kill (presence timeout ${PRESENCE_TIMEOUT_S} s)`);
    expect(offlineAfter).toBeLessThan(30);
    expect(offlineAfter).toBeLessThan(PRESENCE_TIMEOUT_S + 5);

    const releasedAt = Date.now();
    for (const k of stay) k.release();
    const backAfter = await untilPresence((online) => online.size === COUNT, releasedAt, 'the killed worker\'s kiosks back online on C');
    console.log(`SIGKILL: back online on C ${backAfter.toFixed(1)} s after they reconnected`);
    await waitFor(async () => Object.values((status = await commandStatus(id)).kiosks).every((k) => k.status === 'done'), {
      timeoutMs: 30_000,
      intervalMs: 300,
      what: 'every delivery done',
    });
    assertSentOnlyWhenReceived(status);
  }, 120_000);

  it('every delivery is terminal by its expiry: offline, silent and never-idle kiosks included', async () => {
    const gone = fleet.kiosks.slice(0, 5);
    const silent = fleet.kiosks.slice(5, 10);
    const waiting = fleet.kiosks.slice(10, 15);
    const rest = fleet.kiosks.slice(15);
    for (const k of gone) {
      k.hold();
      k.drop();
    }
    for (const k of silent) k.behave({ mute: true });
    for (const k of waiting) k.behave({ neverIdle: true });
    await untilPresence((online) => gone.every((k) => !online.has(k.id)), Date.now(), 'five kiosks offline');

    const id = await project.command('screenshot', '--all', '--when', 'idle', '--expires-in', '8');
    const expiresAt = Date.parse((await commandStatus(id)).expiresAt);
    await waitFor(() => rest.every((k) => k.answered.has(id)) && [...silent, ...waiting].every((k) => k.framesFor(id).length > 0), {
      timeoutMs: 30_000,
      intervalMs: 100,
      what: 'the online kiosks to get it',
    });
    await waitFor(async () => {
      const before = await commandStatus(id);
      return waiting.every((k) => before.kiosks[k.id]?.status === 'accepted') && silent.every((k) => before.kiosks[k.id]?.status === 'sent');
    }, { timeoutMs: 10_000, intervalMs: 200, what: 'accepted and sent before the expiry' });
    expect(Date.now()).toBeLessThan(expiresAt);

    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt - Date.now()) + 100));
    const status = await commandStatus(id);
    expect(Object.entries(status.kiosks).filter(([, k]) => !TERMINAL.has(k.status))).toEqual([]);
    for (const k of gone) expect(status.kiosks[k.id]).toEqual({ status: 'expired', reason: 'not-delivered' });
    for (const k of [...silent, ...waiting]) expect(status.kiosks[k.id]).toEqual({ status: 'expired', reason: 'no-answer' });
    for (const k of rest) expect(status.kiosks[k.id]?.status).toBe('done');
    assertSentOnlyWhenReceived(status);
    const shots = await project.manage('shell', '-c', `from kiosk_fleet.models import Screenshot; print(Screenshot.objects.filter(delivery__command_id="${id}").count())`);
    expect(Number(shots.trim())).toBe(rest.length);
    for (const k of gone) k.release();
  }, 120_000);
});

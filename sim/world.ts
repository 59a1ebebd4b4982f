/**
 * The simulated world: hosts, the links between them, the faults, one clock, one seed.
 *
 * Theory of operation: every ordered pair of hosts has two links (signaling and media), created on
 * first use from the channel's default model plus any per-link override, each with its own random
 * streams. A send is traced, checked against partitions, and offered to its link; what clears the link
 * comes back through `arrived`, where partitions (in-flight packets crossing a cut are lost) and crashed
 * receivers are checked before the receiving host gets it. Faults are verbs on the world, callable at
 * any simulated time directly or through `at(t, …)`: partition / heal, hold / release, crash / restart,
 * pause / resume, setClock, setLink / setNetwork. Each is traced. The world never reads the wall clock.
 */
import { CHANNELS, type Channel, type NodeInput, type Outcome, type PeerId, type Protocol } from '../protocol/contract.ts';
import { ConfigError } from './errors.ts';
import { Host, type HostEnv } from './host.ts';
import { Link, type LinkEnv, type LinkStats, type Packet } from './link.ts';
import { PERFECT_LINK, resolveLinkModel, type LinkModel, type LinkOverrides } from './link-config.ts';
import { checkClockSetting, type ClockSetting } from './node-clock.ts';
import { presetModel } from './presets.ts';
import { normaliseSeed, RandomStreams } from './random.ts';
import { Scheduler, type RunResult } from './scheduler.ts';
import { traceHooks, type DropReason, type TraceHooks, type TraceSink } from './trace.ts';

/** A network description: a preset name, or link settings over the perfect link. */
export type NetworkSpec = string | LinkOverrides;

/** How to build a world. */
export interface WorldOptions {
  /** Root seed of every random stream (an integer; reduced to 32 bits). */
  readonly seed: number;
  /** Default network of both channels (default `perfect`). */
  readonly network?: NetworkSpec;
  /** Default network of the media channel only (default: `network`). */
  readonly media?: NetworkSpec;
  /** Trace sinks that see every event from the start. */
  readonly trace?: readonly TraceSink[];
}

/** Which links a link verb applies to. */
export interface LinkSelector {
  /** One channel, or both when omitted. */
  readonly channel?: Channel;
  /** Also the reverse direction (default false). */
  readonly bothWays?: boolean;
}

/** Packet counters of the whole world. */
export interface WorldStats {
  /** Packets handed to links by senders (duplicates not included). */
  sent: number;
  /** Packets handed to receiving hosts. */
  delivered: number;
  /** Packets dropped, by reason. */
  dropped: Record<DropReason, number>;
}

/** What a node id may be: 1 to 64 letters, digits and `_ . : -`. */
export const NODE_ID = /^[A-Za-z0-9_.:-]{1,64}$/;

/** `NODE_ID` in words, for error messages. */
export const NODE_ID_RULE = '1 to 64 of A-Z a-z 0-9 _ . : -';

/** A deterministic simulated network of protocol nodes. */
export class World<Command = unknown, Event = unknown> implements LinkEnv, HostEnv {
  /** The clock and event queue. */
  readonly scheduler = new Scheduler();
  /** The seed's named random streams. */
  readonly random: RandomStreams;
  /** Packet counters. */
  readonly stats: WorldStats = { sent: 0, delivered: 0, dropped: { loss: 0, queue: 0, partition: 0, crashed: 0, 'no-route': 0 } };
  /** The trace hooks handed to links and hosts, one per kind someone listens to. */
  trace: TraceHooks = {};
  private readonly sinks: TraceSink[] = [];
  private readonly observers: ((host: Host<Command, Event>, input: NodeInput<Command>) => void)[] = [];
  private readonly hosts = new Map<PeerId, Host<Command, Event>>();
  private readonly routes = new Map<PeerId, Map<PeerId, Route>>();
  /** The routes of the latest sender, kept at hand: a node's sends come in runs (a frame to every peer). */
  private senderId: PeerId | undefined;
  private senderRoutes: Map<PeerId, Route> | undefined;
  private readonly defaults: Record<Channel, LinkModel>;
  private packetIds = 0;

  /** A world with the given seed, default network and trace sinks. */
  constructor(options: WorldOptions) {
    this.random = new RandomStreams(normaliseSeed(options.seed));
    const signaling = networkModel(options.network ?? 'perfect', 'network');
    this.defaults = { signaling, media: options.media === undefined ? signaling : networkModel(options.media, 'media') };
    for (const sink of options.trace ?? []) this.addSink(sink);
  }

  /** The root seed (32-bit). */
  get seed(): number {
    return this.random.seed;
  }

  /** Current simulated time (ms). */
  get now(): number {
    return this.scheduler.now;
  }

  /** Add a trace sink from now on. */
  addSink(sink: TraceSink): void {
    this.sinks.push(sink);
    this.trace = traceHooks(this.sinks);
  }

  /** Call `observer` after every input a node handled and drained (e.g. to check invariants on it). */
  observe(observer: (host: Host<Command, Event>, input: NodeInput<Command>) => void): void {
    this.observers.push(observer);
  }

  /** HostEnv: a node settled after an input. */
  settled(host: Host<Command, Event>, input: NodeInput<Command>): void {
    for (const observer of this.observers) observer(host, input);
  }

  /** Add a node running `protocol`; it starts at once unless `start` is false (then `restart` boots it). */
  addNode(id: PeerId, protocol: Protocol<Command, Event>, options: { start?: boolean; clock?: ClockSetting } = {}): Host<Command, Event> {
    if (typeof id !== 'string' || !NODE_ID.test(id)) throw new ConfigError('node id', NODE_ID_RULE, id);
    if (this.hosts.has(id)) throw new ConfigError('node id', 'a name not already in the world', id);
    const host = new Host<Command, Event>(id, protocol, this.random.stream(`node/${id}`), this);
    this.hosts.set(id, host);
    if (options.clock !== undefined) this.setClock(id, options.clock);
    if (options.start !== false) host.start();
    return host;
  }

  /** The host of node `id`. */
  host(id: PeerId): Host<Command, Event> {
    const host = this.hosts.get(id);
    if (host === undefined) throw new ConfigError('node', `one of ${[...this.hosts.keys()].join(', ') || '(no nodes yet)'}`, id);
    return host;
  }

  /** Every node id, in the order added. */
  get nodes(): PeerId[] {
    return [...this.hosts.keys()];
  }

  /** The link from `from` to `to` on `channel` (created on first use). */
  link(from: PeerId, to: PeerId, channel: Channel): Link {
    this.group([from, to]);
    return this.linkOf(this.route(from, to), channel);
  }

  /**
   * Ground truth: the recent mean round trip between `a` and `b` on `channel` (ms), the sum of both
   * directions' mean one-way delays (`LinkStats.meanDelayMs`); undefined until both carried a packet.
   */
  trueRoundTripMs(a: PeerId, b: PeerId, channel: Channel = 'media'): number | undefined {
    const there = this.linkStats(a, b, channel)?.meanDelayMs;
    const back = this.linkStats(b, a, channel)?.meanDelayMs;
    return there === undefined || back === undefined ? undefined : there + back;
  }

  /**
   * Ground truth: the range of round trips the link between `a` and `b` on `channel` has carried (ms):
   * from the sum of both directions' smallest one-way delays to the sum of their largest, since the
   * start; undefined until both carried a packet. Any estimate made of real packets' delays lies in it.
   */
  trueRoundTripRangeMs(a: PeerId, b: PeerId, channel: Channel = 'media'): { readonly lo: number; readonly hi: number } | undefined {
    const there = this.linkStats(a, b, channel);
    const back = this.linkStats(b, a, channel);
    if (there === undefined || back === undefined || there.delivered === 0 || back.delivered === 0) return undefined;
    return { lo: there.minDelayMs + back.minDelayMs, hi: there.maxDelayMs + back.maxDelayMs };
  }

  /** Ground truth: the range of one-way delays the link from `from` to `to` on `channel` has carried since the start (ms); undefined until it carried a packet. */
  trueOneWayRangeMs(from: PeerId, to: PeerId, channel: Channel = 'media'): { readonly lo: number; readonly hi: number } | undefined {
    const stats = this.linkStats(from, to, channel);
    return stats === undefined || stats.delivered === 0 ? undefined : { lo: stats.minDelayMs, hi: stats.maxDelayMs };
  }

  /** The counters of the link from `from` to `to` on `channel`, if it exists (no link is made for asking). */
  private linkStats(from: PeerId, to: PeerId, channel: Channel): LinkStats | undefined {
    return this.routes.get(from)?.get(to)?.links[channel]?.stats;
  }

  // ---- user commands ----------------------------------------------------------------------------

  /** Give node `id` a user command now; returns the node's answer. */
  command(id: PeerId, command: Command): Outcome {
    return this.host(id).command(command);
  }

  // ---- running ----------------------------------------------------------------------------------

  /** Run `action(world)` at simulated time `t` (scripted user actions and faults). */
  at(t: number, action: (world: this) => void): void {
    this.scheduler.schedule(t, action, this);
  }

  /** Run the next event; false when none is left. */
  step(): boolean {
    return this.scheduler.step();
  }

  /** Run every event up to time `t` and stop the clock there. */
  runUntil(t: number): number {
    return this.scheduler.runUntil(t);
  }

  /** Run for `ms` more milliseconds. */
  runFor(ms: number): number {
    return this.scheduler.runUntil(this.scheduler.now + ms);
  }

  /** Run until nothing is pending, or report `budget` when the event budget runs out (a livelock). */
  runUntilIdle(budget?: number): RunResult {
    return this.scheduler.runUntilIdle(budget);
  }

  // ---- faults -----------------------------------------------------------------------------------

  /** Cut every path between group `a` and group `b`, both ways. */
  partition(a: PeerId | readonly PeerId[], b: PeerId | readonly PeerId[]): void {
    const as = this.group(a);
    const bs = this.group(b);
    for (const x of as) for (const y of bs) if (x !== y) this.route(x, y).blocked = this.route(y, x).blocked = true;
    this.fault('partition', { a: as, b: bs });
  }

  /** Cut the paths from group `from` to group `to` only. */
  partitionOneWay(from: PeerId | readonly PeerId[], to: PeerId | readonly PeerId[]): void {
    const fs = this.group(from);
    const ts = this.group(to);
    for (const x of fs) for (const y of ts) if (x !== y) this.route(x, y).blocked = true;
    this.fault('partition-one-way', { from: fs, to: ts });
  }

  /** Cut `node` off from every other node. */
  isolate(node: PeerId): void {
    this.partition(node, this.nodes.filter((n) => n !== node));
  }

  /** Restore paths: between `a` and `b` both ways, or every path when called without arguments. */
  heal(a?: PeerId | readonly PeerId[], b?: PeerId | readonly PeerId[]): void {
    const as = a === undefined ? this.nodes : this.group(a);
    const bs = b === undefined ? this.nodes : this.group(b);
    for (const x of as) for (const y of bs) if (x !== y) this.route(x, y).blocked = this.route(y, x).blocked = false;
    this.fault('heal', a === undefined ? { all: true } : { a: as, b: bs });
  }

  /** True when packets from `from` to `to` are currently cut. */
  isPartitioned(from: PeerId, to: PeerId): boolean {
    return this.routes.get(from)?.get(to)?.blocked ?? false;
  }

  /** Hold the link(s): packets reaching the far end wait there until `release`. */
  hold(from: PeerId, to: PeerId, selector: LinkSelector = {}): void {
    for (const { route, channel } of this.select(from, to, selector)) this.linkOf(route, channel).hold();
    this.fault('hold', { from, to, ...selector });
  }

  /** Release held link(s): everything held is delivered at once, in arrival order. */
  release(from: PeerId, to: PeerId, selector: LinkSelector = {}): void {
    this.fault('release', { from, to, ...selector });
    for (const { route, channel } of this.select(from, to, selector)) this.linkOf(route, channel).release();
  }

  /** Release every held link at once. */
  releaseAll(): void {
    this.fault('release-all', {});
    for (const routes of this.routes.values()) for (const route of routes.values()) for (const link of route.made) link.release();
  }

  /**
   * Stop every impairment that loses or damages packets (loss, duplication, corruption, stalls) on every
   * link, now and for links made later; delays, jitter, capacity and slots stay. The quiet phase of a
   * liveness check runs on this network.
   */
  stopLosses(): void {
    const calm = (m: LinkOverrides): LinkOverrides => ({ ...m, loss: { model: 'none' }, duplicate: 0, corrupt: 0, stall: null });
    for (const ch of CHANNELS) this.defaults[ch] = resolveLinkModel(PERFECT_LINK, calm(this.defaults[ch]), ch);
    for (const routes of this.routes.values()) {
      for (const route of routes.values()) {
        for (const ch of CHANNELS) {
          if (route.overrides[ch] !== undefined) route.overrides[ch] = calm(route.overrides[ch]!);
          route.links[ch]?.setModel(resolveLinkModel(this.defaults[ch], route.overrides[ch], `links.${route.from}>${route.to}/${ch}`));
        }
      }
    }
    this.fault('stop-losses', {});
  }

  /** Crash node `id`: volatile state and pending timers are lost; its persisted snapshot is kept. */
  crash(id: PeerId): void {
    this.fault('crash', { node: id });
    this.host(id).crash();
  }

  /** Start node `id` again (or for the first time) from its persisted snapshot. */
  restart(id: PeerId): void {
    const host = this.host(id);
    this.fault('restart', { node: id, snapshot: host.snapshot?.length ?? 0 });
    host.start();
  }

  /** Freeze node `id`: nothing it receives or any timer it armed is handled until `resume`. */
  pause(id: PeerId): void {
    this.fault('pause', { node: id });
    this.host(id).pause();
  }

  /** Unfreeze node `id`; what waited is handled now, in order. */
  resume(id: PeerId): void {
    this.fault('resume', { node: id });
    this.host(id).resume();
  }

  /** Set node `id`'s clock offset (a step) and/or drift; the node sees only its local clock. */
  setClock(id: PeerId, setting: ClockSetting): void {
    checkClockSetting(setting);
    this.fault('clock', { node: id, ...setting });
    this.host(id).setClock(setting);
  }

  /** Change link settings mid-run (one direction unless `bothWays`, both channels unless `channel`). */
  setLink(from: PeerId, to: PeerId, settings: NetworkSpec, selector: LinkSelector = {}): void {
    const changes = this.select(from, to, selector).map(({ route, channel }) => {
      const field = `links.${route.from}>${route.to}/${channel}`;
      const overrides = typeof settings === 'string' ? { ...presetModel(settings, field) } : { ...route.overrides[channel], ...settings };
      return { route, channel, overrides, model: resolveLinkModel(this.defaults[channel], overrides, field) };
    });
    for (const { route, channel, overrides, model } of changes) {
      route.overrides[channel] = overrides;
      route.links[channel]?.setModel(model);
    }
    this.fault('set-link', { from, to, settings, ...selector });
  }

  /** Change the default network of every link without its own override (one channel or both). */
  setNetwork(settings: NetworkSpec, channel?: Channel): void {
    for (const ch of channel === undefined ? CHANNELS : [channel]) {
      this.defaults[ch] = networkModel(settings, ch === 'media' ? 'media' : 'network');
      for (const routes of this.routes.values()) {
        for (const route of routes.values()) {
          const link = route.links[ch];
          if (link !== undefined) link.setModel(resolveLinkModel(this.defaults[ch], route.overrides[ch], `links.${route.from}>${route.to}/${ch}`));
        }
      }
    }
    this.fault('set-network', { settings, ...(channel === undefined ? {} : { channel }) });
  }

  // ---- LinkEnv: packets -------------------------------------------------------------------------

  /** A fresh packet id. */
  nextPacketId(): number {
    return ++this.packetIds;
  }


  /** Count and trace a dropped packet. */
  dropped(packet: Packet, reason: DropReason): void {
    this.stats.dropped[reason]++;
    this.trace.drop?.({ kind: 'drop', t: this.scheduler.now, node: packet.from, to: packet.to, channel: packet.channel, packet: packet.id, reason });
  }

  /** Send `bytes` from `from` to `to` now, as if node `from` had sent them (hosts call this for every send). */
  send(from: PeerId, to: PeerId, channel: Channel, bytes: Uint8Array): void {
    const packet: Packet = { id: this.nextPacketId(), from, to, channel, bytes, sentAt: this.scheduler.now };
    this.stats.sent++;
    const traceSend = this.trace.send;
    if (traceSend !== undefined) {
      const label = this.hosts.get(from)?.protocol.describe?.(bytes, channel);
      traceSend({ kind: 'send', t: packet.sentAt, node: from, to, channel, packet: packet.id, size: bytes.length, ...(label === undefined ? {} : { label }) });
    }
    if (from !== this.senderId) {
      this.senderId = from;
      this.senderRoutes = this.routes.get(from);
    }
    const route = this.senderRoutes?.get(to) ?? (this.hosts.has(to) && this.hosts.has(from) && to !== from ? this.route(from, to) : undefined);
    if (route === undefined) return this.dropped(packet, 'no-route');
    if (route.blocked) return this.dropped(packet, 'partition');
    this.linkOf(route, channel).transmit(packet);
  }

  /** A packet cleared its link: deliver it unless a partition or a crashed receiver stops it. */
  private arrived(route: Route, packet: Packet): void {
    if (route.blocked) return this.dropped(packet, 'partition');
    if (route.host.state === 'down') return this.dropped(packet, 'crashed');
    this.stats.delivered++;
    route.host.receive(packet);
  }

  private route(from: PeerId, to: PeerId): Route {
    let routes = this.routes.get(from);
    if (routes === undefined) {
      this.routes.set(from, (routes = new Map()));
      this.senderId = undefined; // the sender cached without routes has some now
    }
    let route = routes.get(to);
    if (route === undefined) {
      routes.set(to, (route = { from, to, host: this.host(to), blocked: false, links: { signaling: undefined, media: undefined }, made: [], overrides: {} }));
    }
    return route;
  }

  private linkOf(route: Route, channel: Channel): Link {
    // named loads, not `links[channel]`: a load keyed by a varying name is megamorphic in V8 (every send comes here)
    const links = route.links;
    let link = channel === 'media' ? links.media : channel === 'signaling' ? links.signaling : links[channel];
    if (link === undefined) {
      const model = resolveLinkModel(this.defaults[channel], route.overrides[channel], `links.${route.from}>${route.to}/${channel}`);
      link = route.links[channel] = new Link(route.from, route.to, channel, model, this.random, this, (p) => this.arrived(route, p));
      route.made.push(link);
    }
    return link;
  }

  private group(g: PeerId | readonly PeerId[]): PeerId[] {
    const ids = typeof g === 'string' ? [g] : [...g];
    for (const id of ids) this.host(id);
    return ids;
  }

  private select(from: PeerId, to: PeerId, selector: LinkSelector): { route: Route; channel: Channel }[] {
    this.group([from, to]);
    const channels = selector.channel === undefined ? CHANNELS : [selector.channel];
    const routes = selector.bothWays ? [this.route(from, to), this.route(to, from)] : [this.route(from, to)];
    return routes.flatMap((route) => channels.map((channel) => ({ route, channel })));
  }

  private fault(fault: string, detail: unknown): void {
    this.trace.fault?.({ kind: 'fault', t: this.scheduler.now, fault, detail });
  }
}

/** Everything about one ordered pair of nodes: whether it is cut, its links and their overrides. */
interface Route<Command = any, Event = any> {
  readonly from: PeerId;
  readonly to: PeerId;
  /** The receiving host. */
  readonly host: Host<Command, Event>;
  blocked: boolean;
  /** Its link per channel (both names always there, so every route's `links` has one shape). */
  readonly links: { [C in Channel]: Link | undefined };
  /** Its links in the order they were made (the order `releaseAll` releases them in). */
  readonly made: Link[];
  readonly overrides: { [C in Channel]?: LinkOverrides };
}

function networkModel(spec: NetworkSpec, field: string): LinkModel {
  return typeof spec === 'string' ? presetModel(spec, field) : resolveLinkModel(PERFECT_LINK, spec, field);
}

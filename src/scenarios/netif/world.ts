/**
 * Shared setup of the netif scenarios: ifnets, nexuses, attachments and
 * open kernel channels built directly, in the state the model functions
 * leave them in (test/netif.test.ts checks that against running
 * nx_netif_ctl_attach, ch_open_special and NXSPEC_CMD_START).
 */
import { netifMonitors } from '../../specs/netif/monitors.ts';
import type { Execution } from '../../core/execution.ts';
import { KMem } from '../../locks/kmem.ts';
import { nxCreate } from '../../actors/netif/nexus.ts';
import { Channel, Kring, NetifGlobals, NetifNa, type Nexus, PORT_DEV, PORT_HOST, SUBMODULES, XIfnet } from '../../actors/netif/types.ts';

/**
 * Scheduling points of every netif scenario: mutex_enter of SK_LOCK,
 * if_start_lock, if_ref_lock and the rings' busy rights, rw_enter of
 * nif_lock and ifnet_lock, cv wake-ups (the detach drain, activate OFF's
 * msleep), and the data path's unlocked loads (if_na, na_flags, ring
 * fields, the nif's counters). Accesses under SK_LOCK are local.
 */
export const NETIF_GRANULARITY =
  'mutex_enter(sk_lock, if_start_lock, if_ref_lock, kr busy); rw_enter(nif_lock, ifnet_lock); cv wake-ups (drain, OFF msleep); every unlocked load of the data path (if_na, na_flags, ring fields, nif counters)';

export interface NexusSpec {
  name: string;
  /** Attach this ifnet (as nx_netif_ctl_attach of an attached ifnet leaves it). */
  attach?: string;
  /** The attachment went through finalize (embryonic ifnet): the sub-modules are initialised. */
  finalized?: boolean;
  portLim?: number;
}

/** Build an attachment of `ifp` to `nx` (L6432-6631 and L5570, or L6809-6845 when finalized). */
export function attachDirect(ex: Execution, g: NetifGlobals, nx: Nexus, ifp: XIfnet, finalized: boolean): void {
  const nif = nx.nif!;
  const mk = (kind: 'dev' | 'host'): NetifNa => {
    const na = new NetifNa(ex, new KMem(ex, `na ${nx.name}/${kind}`), kind, `${nx.name}/${kind}`, g.cov);
    g.nas.push(na);
    na.netif = nif;
    nif.ref.count++;
    na.naIfp = ifp;
    ifp.refio++;
    ifp.ioHolders.push(`${na.name}.na_ifp`);
    na.m.send('BIND_IFP');
    na.refcount = 1;
    nx.ports.slots[kind === 'dev' ? PORT_DEV : PORT_HOST]!.na = na;
    na.m.send('PUBLISH');
    return na;
  };
  const dev = mk('dev');
  mk('host');
  ifp.ifNaOps = true;
  ifp.ifNa = dev;
  ifp.capable = true;
  nif.ifp = ifp;
  nif.uuid = g.newUuid();
  nif.m.send('ATTACH');
  if (finalized) for (const m of SUBMODULES) nif.sub[m].initialized = true;
}

/**
 * Build a kernel channel opened with ch_open_special on port 0 or 1 and
 * started (NXSPEC_CMD_CONNECT then START): the NA kernel-only, bound,
 * active, its handler redirected, its rings out of drop mode.
 */
export function openKernelChannelDirect(ex: Execution, g: NetifGlobals, nx: Nexus, port: typeof PORT_DEV | typeof PORT_HOST, name: string): Channel {
  const na = nx.ports.slots[port]!.na!;
  const ch = new Channel(ex, name, nx, port, true, true, g.cov);
  g.channels.push(ch);
  na.refcount++; // L7141
  na.kernelOnly = true;
  const mem = new KMem(ex, `${na.name} krings`);
  na.krings = { mem, tx: new Kring(ex, `${na.name}.tx0`, mem, true), rx: new Kring(ex, `${na.name}.rx0`, mem, false) };
  na.channels = 1;
  na.use.send('OWN');
  ch.na = na;
  const ifp = na.naIfp!;
  if (na.kind === 'dev') {
    for (const kr of [na.krings.tx, na.krings.rx]) {
      kr.netifNotify = kr.naNotify;
      kr.naNotify = kr.tx ? 'nx_netif_na_notify_tx' : 'nx_netif_na_notify_rx';
    }
    for (const m of ['filter', 'flow'] as const) if (na.netif!.sub[m].initialized) na.netif!.sub[m].enabled = true;
    ifp.ifStart.current = 'nx_netif_doorbell';
  } else {
    ifp.ifOutput.current = 'nx_netif_host_output';
    na.hostOutputSet = true;
  }
  na.active = true;
  na.use.send('ACTIVATE');
  na.specInit = true;
  g.noidle.set(ch, 1);
  nx.channels.push(ch);
  nx.chCount++;
  ch.m.send('CONNECT');
  return ch;
}

/** The globals with `ifnames` attached to dlil and the nexuses of `nxs` created (and attached as they say). */
export function netifWorld(ex: Execution, ifnames: readonly string[], nxs: readonly NexusSpec[]): NetifGlobals {
  const g = new NetifGlobals(ex, netifMonitors);
  for (const n of ifnames) g.ifnets.push(new XIfnet(ex, new KMem(ex, `ifnet ${n}`), n));
  for (const s of nxs) {
    const nx = nxCreate(ex, g, s.name, s.portLim ?? 4);
    if (s.attach) attachDirect(ex, g, nx, g.ifnets.find((i) => i.name === s.attach)!, s.finalized ?? false);
  }
  return g;
}

/** A one-line picture of the whole state (snapshots, and the tests' comparison of built and run worlds). */
export function netifFingerprint(g: NetifGlobals): Record<string, string> {
  const out: Record<string, string> = {};
  for (const ifp of g.ifnets)
    out[`ifnet ${ifp.name}`] = `if_na ${ifp.ifNa?.name ?? 'NULL'} cap ${ifp.capable} refio ${ifp.refio} [${[...ifp.ioHolders].sort().join(',')}] start ${ifp.ifStart.current} output ${ifp.ifOutput.current} ready ${ifp.ready} suspend ${ifp.suspend}`;
  for (const nx of g.nexuses) {
    const n = nx.nif;
    out[`nexus ${nx.name}`] = `${nx.m.state} ch ${nx.chCount} ports ${nx.ports.slots.map((s) => (s.na ? s.na.name : s.bound ? 'bound' : '-')).join(',')} nif ${n ? `${n.mem.freed ? 'freed' : n.m.state} uuid ${n.uuid ? 'set' : 'null'} ifp ${n.ifp?.name ?? 'NULL'} ref ${n.refcnt} sub ${Object.entries(n.sub).map(([k, v]) => `${k}:${v.initialized ? 'I' : '-'}${v.enabled ? 'E' : ''}`).join(' ')}` : 'NULL'}`;
  }
  for (const na of g.nas)
    out[`na ${na.name}`] = na.mem.freed ? 'freed' : `${na.m.state}/${na.use.state} ref ${na.refcount} ch ${na.channels} ${na.active ? 'ACTIVE ' : ''}${na.kernelOnly ? 'KERNEL_ONLY ' : ''}${na.specInit ? 'SPEC_INIT ' : ''}ifp ${na.naIfp?.name ?? '-'} krings ${na.krings ? `tx:${na.krings.tx.drop ? 'drop' : 'ok'}/${na.krings.tx.naNotify} rx:${na.krings.rx.drop ? 'drop' : 'ok'}/${na.krings.rx.naNotify}` : '-'}`;
  return out;
}

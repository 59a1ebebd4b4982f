/**
 * The scenario catalog: every test case and requirement of the seed notes as a named scenario, in the
 * order a reader meets them: dialing and answering, group membership and pending calls, direct calls,
 * leaving and rejoining, restarts, rejection, missed calls, mute and deafen, late and lost signals, and
 * races. Each runs on at least two network presets (see each file's `networks`).
 */
import type { Scenario } from '../scenario.ts';
import crashRestartRejoin from './crash-restart-rejoin.ts';
import dialGlare from './dial-glare.ts';
import directCallEnds from './direct-call-ends.ts';
import everyoneLeavesNotPending from './everyone-leaves-not-pending.ts';
import groupEmptiesAndRefills from './group-empties-and-refills.ts';
import groupEveryoneJoined from './group-everyone-joined.ts';
import groupGoesOnAlone from './group-goes-on-alone.ts';
import groupOneLeaves from './group-one-leaves.ts';
import joinRacesLeave from './join-races-leave.ts';
import joinerSeesMuteDeafen from './joiner-sees-mute-deafen.ts';
import leaveAndRejoin from './leave-and-rejoin.ts';
import missedCall from './missed-call.ts';
import missedCallWhileOffline from './missed-call-while-offline.ts';
import muteChangesReconcile from './mute-changes-reconcile.ts';
import offerReachesLatePeer from './offer-reaches-late-peer.ts';
import partitionHealsMidCall from './partition-heals-mid-call.ts';
import rejoinUnnoticed from './rejoin-unnoticed.ts';
import rejectNeverReinvited from './reject-never-reinvited.ts';
import rejectedCallForgotten from './rejected-call-forgotten.ts';
import sameMillisecondCommands from './same-millisecond-commands.ts';
import twoIncomingCalls from './two-incoming-calls.ts';
import twoIncomingCallsSwitch from './two-incoming-calls-switch.ts';
import wifiStallBurst from './wifi-stall-burst.ts';
import rttClimbs from './rtt-climbs.ts';
import clocksHoursApart from './clocks-hours-apart.ts';

/** Every catalog scenario, in reading order. */
export const CATALOG: readonly Scenario[] = [
  twoIncomingCalls,
  twoIncomingCallsSwitch,
  dialGlare,
  groupEveryoneJoined,
  groupOneLeaves,
  everyoneLeavesNotPending,
  groupEmptiesAndRefills,
  directCallEnds,
  groupGoesOnAlone,
  leaveAndRejoin,
  crashRestartRejoin,
  rejoinUnnoticed,
  rejectNeverReinvited,
  rejectedCallForgotten,
  missedCall,
  missedCallWhileOffline,
  joinerSeesMuteDeafen,
  muteChangesReconcile,
  offerReachesLatePeer,
  partitionHealsMidCall,
  joinRacesLeave,
  sameMillisecondCommands,
  wifiStallBurst,
  rttClimbs,
  clocksHoursApart,
];

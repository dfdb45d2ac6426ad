import type { EmulatorLog, FrameRecord, InjectedError, Operation, PreflightRecord, RequestRecord, UndeliveredReason, UndeliveredRecord } from './types';

/** Every operation name, for validating admin input. @internal */
export const OPERATIONS: readonly Operation[] = [
  'CreateSignalingChannel',
  'DescribeSignalingChannel',
  'ListSignalingChannels',
  'UpdateSignalingChannel',
  'DeleteSignalingChannel',
  'GetSignalingChannelEndpoint',
  'DescribeMediaStorageConfiguration',
  'UpdateMediaStorageConfiguration',
  'TagResource',
  'UntagResource',
  'ListTagsForResource',
  'CreateStream',
  'DescribeStream',
  'DeleteStream',
  'ListStreams',
  'GetIceServerConfig',
  'SendAlexaOfferToMaster',
  'JoinStorageSession',
  'JoinStorageSessionAsViewer',
  'ConnectAsMaster',
  'ConnectAsViewer',
];

/** Every reason a relayed message can go undelivered, for validating admin input. @internal */
export const UNDELIVERED_REASONS: readonly UndeliveredReason[] = [
  'RECIPIENT_HOLD_FULL',
  'CHANNEL_HOLD_FULL',
  'EXPIRED',
  'REPLACED',
  'CHANNEL_DELETED',
  'EMULATOR_CLOSED',
];

/** True when `value` names an operation. @internal */
export function isOperation(value: unknown): value is Operation {
  return typeof value === 'string' && (OPERATIONS as readonly string[]).includes(value);
}

/** The emulator's notion of "now": the real clock plus an adjustable offset. @internal */
export class Clock {
  offsetMs = 0;
  now(): number {
    return Date.now() + this.offsetMs;
  }
}

/** Bounded request, frame and undelivered-message logs. @internal */
export class Log implements EmulatorLog {
  private requestList: RequestRecord[] = [];
  private frameList: FrameRecord[] = [];
  private undeliveredList: UndeliveredRecord[] = [];
  private preflightList: PreflightRecord[] = [];
  private readonly counts = new Map<string, number>();
  private total = 0;
  private readonly undeliveredCounts = new Map<UndeliveredReason, number>();
  private undeliveredTotal = 0;

  constructor(private readonly max: number) {}

  addRequest(record: RequestRecord): void {
    this.requestList.push(record);
    this.requestList = this.trim(this.requestList);
    this.counts.set(record.operation, (this.counts.get(record.operation) ?? 0) + 1);
    this.total++;
  }

  addFrame(record: FrameRecord): void {
    this.frameList.push(record);
    this.frameList = this.trim(this.frameList);
  }

  addUndelivered(record: UndeliveredRecord): void {
    this.undeliveredList.push(record);
    this.undeliveredList = this.trim(this.undeliveredList);
    this.undeliveredCounts.set(record.reason, (this.undeliveredCounts.get(record.reason) ?? 0) + 1);
    this.undeliveredTotal++;
  }

  addPreflight(record: PreflightRecord): void {
    this.preflightList.push(record);
    this.preflightList = this.trim(this.preflightList);
  }

  /** Drops the oldest entries in batches, so a full log costs O(1) per entry, not a shift per entry. */
  private trim<T>(list: T[]): T[] {
    return list.length > this.max + Math.max(1024, this.max >> 2) ? list.slice(-this.max) : list;
  }

  requests(): RequestRecord[] {
    return this.requestList.slice(-this.max).map((r) => ({ ...r }));
  }

  frames(): FrameRecord[] {
    return this.frameList.slice(-this.max).map((f) => ({ ...f }));
  }

  undelivered(): UndeliveredRecord[] {
    return this.undeliveredList.slice(-this.max).map((u) => ({ ...u }));
  }

  preflights(): PreflightRecord[] {
    return this.preflightList.slice(-this.max).map((p) => ({ ...p }));
  }

  /** Counts are kept apart from the bounded list, so they stay exact. */
  count(operation?: Operation): number {
    return operation === undefined ? this.total : (this.counts.get(operation) ?? 0);
  }

  undeliveredCount(reason?: UndeliveredReason): number {
    return reason === undefined ? this.undeliveredTotal : (this.undeliveredCounts.get(reason) ?? 0);
  }

  clear(): void {
    this.requestList = [];
    this.frameList = [];
    this.undeliveredList = [];
    this.preflightList = [];
    this.counts.clear();
    this.total = 0;
    this.undeliveredCounts.clear();
    this.undeliveredTotal = 0;
  }
}

interface PendingFailure {
  remaining: number;
  error: Required<InjectedError>;
}

interface HandshakeRefusal {
  remaining: number;
  status: number;
  errorType: string;
  role: 'MASTER' | 'VIEWER' | undefined;
}

/** The 5xx the AWS front end sends for an unexpected failure. @internal */
export const INTERNAL_FAILURE: Required<InjectedError> = {
  status: 500,
  errorType: 'InternalFailure',
  message: 'The request processing has failed because of an unknown error, exception or failure.',
};

/** The throttling reply of the KVS models. @internal */
export const THROTTLED: Required<InjectedError> = {
  status: 400,
  errorType: 'ClientLimitExceededException',
  message:
    'Kinesis Video Streams has throttled the request because you have exceeded the limit of allowed client calls. Try making the call later.',
};

/** The request-level fault state (socket faults act directly on connections). @internal */
export class FaultState {
  latencyMs = 0;
  readonly latencyByOperation = new Map<Operation, number>();
  private failures = new Map<Operation, PendingFailure[]>();
  private refusals: HandshakeRefusal[] = [];

  latencyFor(operation: Operation | undefined): number {
    return (operation && this.latencyByOperation.get(operation)) ?? this.latencyMs;
  }

  queueFailure(operation: Operation, count: number, error: Required<InjectedError>): void {
    const list = this.failures.get(operation) ?? [];
    list.push({ remaining: count, error });
    this.failures.set(operation, list);
  }

  /** Consumes and returns the next injected failure for `operation`, if any. */
  takeFailure(operation: Operation): Required<InjectedError> | undefined {
    const list = this.failures.get(operation);
    const head = list?.[0];
    if (!list || !head) return undefined;
    head.remaining--;
    if (head.remaining <= 0) list.shift();
    return head.error;
  }

  queueRefusal(count: number, status: number, errorType: string, role: 'MASTER' | 'VIEWER' | undefined): void {
    this.refusals.push({ remaining: count, status, errorType, role });
  }

  /** Consumes the first refusal that applies to `role`. */
  takeRefusal(role: 'MASTER' | 'VIEWER'): { status: number; errorType: string } | undefined {
    const index = this.refusals.findIndex((r) => r.role === undefined || r.role === role);
    const refusal = this.refusals[index];
    if (!refusal) return undefined;
    refusal.remaining--;
    if (refusal.remaining <= 0) this.refusals.splice(index, 1);
    return { status: refusal.status, errorType: refusal.errorType };
  }

  reset(): void {
    this.latencyMs = 0;
    this.latencyByOperation.clear();
    this.failures = new Map();
    this.refusals = [];
  }
}

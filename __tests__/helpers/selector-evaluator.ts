/**
 * An independent model of how CloudTrail decides whether a trail logs an
 * event, read from the synthesized Terraform JSON of an `aws_cloudtrail`
 * resource (snake_case keys). Written from the AWS documentation
 * (shared/reference/aws-cloudtrail-facts.md §6), NOT from modules/selectors.ts,
 * so tests can check the generated selectors by their effect: which events
 * get logged.
 *
 * Basic selectors (`event_selector`):
 * - a selector logs a management event when `include_management_events`
 *   (default true) is set, `read_write_type` (default All) matches and the
 *   event source is not in `exclude_management_event_sources`;
 * - it logs a data event when `read_write_type` matches and one of its
 *   `data_resource` blocks of the event's resource type has a value that is
 *   the all-resources value of the type (`arn:<partition>:s3`, `...:lambda`,
 *   `...:dynamodb`), or, for S3, a prefix of the object ARN, or, for Lambda
 *   and DynamoDB, exactly the resource ARN.
 *
 * Advanced selectors (`advanced_event_selector`): a selector matches when
 * every field selector matches; a field selector matches when every operator
 * it has holds (equals: any value equal; not_equals: no value equal;
 * starts_with / ends_with: any value is a prefix / suffix; not_starts_with /
 * not_ends_with: no value is). A field selector without an operator is
 * invalid (CloudTrail rejects it) and makes the evaluator throw.
 *
 * No selector at all is CloudTrail's default: every management event, read
 * and write, and no data event. A trail with both kinds is invalid (throws).
 *
 * Network activity events (API calls through VPC endpoints; CloudTrail User
 * Guide, "Logging network activity events", and the API reference's
 * AdvancedFieldSelector): only advanced selectors log them (basic selectors
 * and the default log none). A selector whose eventCategory is
 * NetworkActivity must have exactly one eventSource field selector with
 * Equals and one value ("eventSource can only use the Equals operator. If you
 * want to log network activity events for multiple event sources, you must
 * create a separate field selector for each event source"), and may filter
 * on eventName, errorCode and vpcEndpointId; readOnly and resources.* are
 * only for management and data events. The evaluator throws on a selector
 * that breaks these rules, as CloudTrail rejects it.
 */

export type EventCategory = 'Management' | 'Data' | 'NetworkActivity';

export interface TrailEvent {
  readonly category: EventCategory;
  readonly readOnly: boolean;
  readonly eventSource: string;
  readonly eventName?: string;
  /** Data events: `AWS::S3::Object`, `AWS::Lambda::Function`, ... */
  readonly resourceType?: string;
  /** Data events: the resource ARN (for S3, the object ARN `arn:aws:s3:::bucket/key`). */
  readonly resourceArn?: string;
  /** Network activity events: the VPC endpoint the call went through. */
  readonly vpcEndpointId?: string;
  /** Network activity events: `VpceAccessDenied` when the endpoint policy denied the call. */
  readonly errorCode?: string;
}

const OPERATORS = ['equals', 'not_equals', 'starts_with', 'not_starts_with', 'ends_with', 'not_ends_with'] as const;

/** Short label for messages. */
export function describeEvent(e: TrailEvent): string {
  return [e.category, e.readOnly ? 'read' : 'write', e.eventSource, e.eventName, e.resourceType, e.resourceArn, e.vpcEndpointId, e.errorCode].filter((x) => x !== undefined).join(' ');
}

function readWriteMatches(readWriteType: string | undefined, readOnly: boolean): boolean {
  const rw = readWriteType ?? 'All';
  if (rw === 'All') return true;
  if (rw === 'ReadOnly') return readOnly;
  if (rw === 'WriteOnly') return !readOnly;
  throw new Error(`invalid read_write_type ${JSON.stringify(readWriteType)} (CloudTrail: InvalidEventSelectorsException)`);
}

const ALL_RESOURCES_SERVICE: Record<string, string> = {
  'AWS::S3::Object': 's3',
  'AWS::Lambda::Function': 'lambda',
  'AWS::DynamoDB::Table': 'dynamodb',
};

function partitionOf(arn: string): string | undefined {
  const parts = arn.split(':');
  return parts[0] === 'arn' && parts.length > 2 ? parts[1] : undefined;
}

/** Does one basic data resource value select this resource? */
function dataValueMatches(type: string, value: string, resourceArn: string): boolean {
  const service = ALL_RESOURCES_SERVICE[type];
  if (!service) throw new Error(`basic selectors do not support data resource type ${type}`);
  const partition = partitionOf(resourceArn);
  if (partition !== undefined && value === `arn:${partition}:${service}`) return true;
  if (type === 'AWS::S3::Object') return resourceArn.startsWith(value);
  return resourceArn === value;
}

/** Does one basic event selector log the event? */
export function basicSelectorLogs(selector: any, event: TrailEvent): boolean {
  if (!readWriteMatches(selector.read_write_type, event.readOnly)) return false;
  if (event.category === 'NetworkActivity') return false; // only advanced selectors log network activity events
  if (event.category === 'Management') {
    if (selector.include_management_events === false) return false;
    const excluded: string[] = selector.exclude_management_event_sources ?? [];
    return !excluded.includes(event.eventSource);
  }
  if (event.resourceType === undefined || event.resourceArn === undefined) return false;
  const resources: any[] = selector.data_resource ?? [];
  return resources.some((r) => r.type === event.resourceType && (r.values as string[]).some((v) => dataValueMatches(r.type, v, event.resourceArn!)));
}

/** The value an advanced field selector compares, for one event; undefined when the event has no such field. */
function fieldValue(field: string, event: TrailEvent): string | undefined {
  switch (field) {
    case 'eventCategory':
      return event.category;
    case 'readOnly':
      return event.category === 'NetworkActivity' ? undefined : event.readOnly ? 'true' : 'false';
    case 'errorCode':
      return event.errorCode;
    case 'vpcEndpointId':
      return event.vpcEndpointId;
    case 'eventSource':
      return event.eventSource;
    case 'eventName':
      return event.eventName;
    case 'resources.type':
      return event.resourceType;
    case 'resources.ARN':
      return event.resourceArn;
    default:
      return undefined;
  }
}

/** Does one advanced field selector match the event? */
export function fieldSelectorMatches(fs: any, event: TrailEvent): boolean {
  const used = OPERATORS.filter((op) => fs[op] !== undefined && fs[op] !== null);
  if (used.length === 0) throw new Error(`field selector on ${fs.field} has no operator (CloudTrail rejects it): ${JSON.stringify(fs)}`);
  const value = fieldValue(fs.field, event);
  return used.every((op) => {
    const values: string[] = fs[op];
    if (values.length === 0) throw new Error(`operator ${op} of field ${fs.field} has no values`);
    // A condition on a field the event does not have: positive operators fail, negative ones hold.
    if (value === undefined) return op.startsWith('not_');
    switch (op) {
      case 'equals':
        return values.includes(value);
      case 'not_equals':
        return !values.includes(value);
      case 'starts_with':
        return values.some((v) => value.startsWith(v));
      case 'not_starts_with':
        return !values.some((v) => value.startsWith(v));
      case 'ends_with':
        return values.some((v) => value.endsWith(v));
      case 'not_ends_with':
        return !values.some((v) => value.endsWith(v));
    }
    return false;
  });
}

/** Throws when a network activity selector breaks CloudTrail's rules for them (see the header). */
function checkNetworkActivitySelector(fields: any[]): void {
  const category = fields.find((fs) => fs.field === 'eventCategory');
  if (!(category?.equals ?? []).includes('NetworkActivity')) return;
  const where = JSON.stringify(fields);
  if (category.equals.length !== 1) throw new Error(`a NetworkActivity selector cannot name other categories: ${where}`);
  const sources = fields.filter((fs) => fs.field === 'eventSource');
  if (sources.length !== 1) throw new Error(`a NetworkActivity selector needs exactly one eventSource field selector, has ${sources.length}: ${where}`);
  const [source] = sources;
  const ops = OPERATORS.filter((op) => source[op] !== undefined && source[op] !== null);
  if (ops.length !== 1 || ops[0] !== 'equals' || source.equals.length !== 1) {
    throw new Error(`a NetworkActivity selector's eventSource takes Equals with one value (one selector per event source): ${where}`);
  }
  for (const fs of fields) {
    if (['readOnly', 'resources.type', 'resources.ARN'].includes(fs.field)) throw new Error(`network activity events have no ${fs.field} field: ${where}`);
    if (fs.field === 'errorCode' && OPERATORS.some((op) => (fs[op] ?? []).some((v: string) => v !== 'VpceAccessDenied'))) {
      throw new Error(`the only errorCode value for network activity events is VpceAccessDenied: ${where}`);
    }
  }
}

/** Does one advanced event selector log the event? */
export function advancedSelectorLogs(selector: any, event: TrailEvent): boolean {
  const fields: any[] = selector.field_selector ?? [];
  if (fields.length === 0) throw new Error('an advanced event selector needs at least one field selector');
  checkNetworkActivitySelector(fields);
  return fields.every((fs) => fieldSelectorMatches(fs, event));
}

/** The selector form of a trail resource. */
export function selectorKind(trail: any): 'default' | 'basic' | 'advanced' {
  const basic: any[] = trail.event_selector ?? [];
  const advanced: any[] = trail.advanced_event_selector ?? [];
  if (basic.length > 0 && advanced.length > 0) {
    throw new Error('a trail cannot have both event_selector and advanced_event_selector (Terraform: conflicting configuration arguments)');
  }
  return basic.length > 0 ? 'basic' : advanced.length > 0 ? 'advanced' : 'default';
}

/** Does the trail (a synthesized aws_cloudtrail resource) log the event? */
export function trailLogs(trail: any, event: TrailEvent): boolean {
  switch (selectorKind(trail)) {
    case 'default':
      return event.category === 'Management';
    case 'basic':
      return (trail.event_selector as any[]).some((s) => basicSelectorLogs(s, event));
    case 'advanced':
      return (trail.advanced_event_selector as any[]).some((s) => advancedSelectorLogs(s, event));
  }
}

/** The events of `events` that the trail logs. */
export function loggedEvents(trail: any, events: readonly TrailEvent[]): TrailEvent[] {
  return events.filter((e) => trailLogs(trail, e));
}

// ---------------------------------------------------------------- sample events

export const mgmt = (eventSource: string, readOnly: boolean, eventName?: string): TrailEvent => ({ category: 'Management', readOnly, eventSource, eventName });

export const s3Object = (bucketAndKey: string, readOnly: boolean, partition = 'aws'): TrailEvent => ({
  category: 'Data',
  readOnly,
  eventSource: 's3.amazonaws.com',
  eventName: readOnly ? 'GetObject' : 'PutObject',
  resourceType: 'AWS::S3::Object',
  resourceArn: `arn:${partition}:s3:::${bucketAndKey}`,
});

export const lambdaInvoke = (functionArn: string, readOnly = false): TrailEvent => ({
  category: 'Data',
  readOnly,
  eventSource: 'lambda.amazonaws.com',
  eventName: 'Invoke',
  resourceType: 'AWS::Lambda::Function',
  resourceArn: functionArn,
});

export const dynamodbItem = (tableArn: string, readOnly: boolean): TrailEvent => ({
  category: 'Data',
  readOnly,
  eventSource: 'dynamodb.amazonaws.com',
  eventName: readOnly ? 'GetItem' : 'PutItem',
  resourceType: 'AWS::DynamoDB::Table',
  resourceArn: tableArn,
});

/**
 * An AWS API call made through a VPC endpoint: a network activity event of
 * `eventSource` (e.g. kms.amazonaws.com). `denied` = the endpoint policy
 * refused it (errorCode VpceAccessDenied).
 */
export const vpceCall = (eventSource: string, eventName: string, opts: { readOnly?: boolean; vpcEndpointId?: string; denied?: boolean } = {}): TrailEvent => ({
  category: 'NetworkActivity',
  readOnly: opts.readOnly ?? false,
  eventSource,
  eventName,
  vpcEndpointId: opts.vpcEndpointId ?? 'vpce-0123456789abcdef0',
  ...(opts.denied ? { errorCode: 'VpceAccessDenied' } : {}),
});

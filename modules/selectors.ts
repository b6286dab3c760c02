/**
 * Event selectors of a trail, as pure data (facts §6).
 *
 * Basic selectors are used where the settings fit them (what the AWS guide
 * describes); advanced selectors when raw `advanced` selectors or network
 * activity events are given (basic selectors cannot log network activity
 * events), or the basic form would break a limit. A trail never has both
 * kinds, so in the advanced form every other setting is translated into
 * advanced selectors that log exactly the same events.
 *
 * Network activity events (config/network-activity.ts): one selector per
 * event source, `eventCategory` Equals `NetworkActivity` and `eventSource`
 * Equals the source, plus `eventName` Equals the operations when the config
 * names some. Their values count in the trail's 500; the 5-selector quota is
 * that of basic event selectors ("Event selectors: 5 per trail"; advanced
 * selectors have only the 500-value quota, CloudTrail User Guide, "Quotas in
 * AWS CloudTrail"), so any number of sources fits as long as the values do.
 */
import type { Partition } from '../config/rules';
import type { DataEvents, ManagementEvents, NetworkActivitySource, ReadWrite } from '../config/model';
import type { FieldOperator } from '../config/schema';

export const SELECTOR_LIMITS = { basicSelectors: 5, dataResources: 250, advancedValues: 500 } as const;

export type DataResourceType = 'AWS::S3::Object' | 'AWS::Lambda::Function' | 'AWS::DynamoDB::Table';

export interface BasicSelector {
  readonly readWriteType: ReadWrite;
  readonly includeManagementEvents: boolean;
  readonly excludeManagementEventSources: readonly string[];
  readonly dataResources: readonly { readonly type: DataResourceType; readonly values: readonly string[] }[];
}

export type FieldSelector = { readonly field: string } & { readonly [op in FieldOperator]?: readonly string[] };

export interface AdvancedSelector {
  readonly name: string;
  readonly fieldSelectors: readonly FieldSelector[];
}

export type EventSelectors =
  | { readonly kind: 'basic'; readonly selectors: readonly BasicSelector[] }
  | { readonly kind: 'advanced'; readonly selectors: readonly AdvancedSelector[] };

export interface SelectorSettings {
  readonly managementEvents: ManagementEvents;
  readonly dataEvents: DataEvents;
  /** @default none */
  readonly networkActivityEvents?: readonly NetworkActivitySource[];
}

const KMS_SOURCE = 'kms.amazonaws.com';
const RDS_DATA_SOURCE = 'rdsdata.amazonaws.com';
const TYPE_ORDER: readonly DataResourceType[] = ['AWS::S3::Object', 'AWS::Lambda::Function', 'AWS::DynamoDB::Table'];
const READ_WRITE_ORDER: readonly ReadWrite[] = ['All', 'ReadOnly', 'WriteOnly'];

interface DataChoice {
  readonly type: DataResourceType;
  /** undefined = every resource of the type ("all current and future"). */
  readonly value?: string;
  readonly readWrite: ReadWrite;
}

/** Does the "all" choice already log everything `rw` asks for? ("all" takes precedence.) */
function covers(all: ReadWrite | undefined, rw: ReadWrite): boolean {
  return all === 'All' || all === rw;
}

function excludedSources(m: ManagementEvents): string[] {
  return [...(m.excludeKmsEvents ? [KMS_SOURCE] : []), ...(m.excludeRdsDataApiEvents ? [RDS_DATA_SOURCE] : [])];
}

/** Data event choices with the ones an "all" choice covers removed. */
function dataChoices(partition: Partition, d: DataEvents): DataChoice[] {
  const out: DataChoice[] = [];
  const add = (type: DataResourceType, all: ReadWrite | undefined, items: readonly { value: string; readWrite: ReadWrite }[]) => {
    if (all) out.push({ type, readWrite: all });
    for (const item of items) if (!covers(all, item.readWrite)) out.push({ type, value: item.value, readWrite: item.readWrite });
  };
  add(
    'AWS::S3::Object',
    d.s3.allBuckets,
    d.s3.buckets.map((b) => ({ value: `arn:${partition}:s3:::${b.name}/${b.prefix}`, readWrite: b.readWrite })),
  );
  add('AWS::Lambda::Function', d.lambda.allFunctions, d.lambda.functions.map((f) => ({ value: f.arn, readWrite: f.readWrite })));
  add('AWS::DynamoDB::Table', d.dynamodb.allTables, d.dynamodb.tables.map((t) => ({ value: t.arn, readWrite: t.readWrite })));
  return out;
}

const ALL_VALUE: Record<DataResourceType, (p: Partition) => string> = {
  'AWS::S3::Object': (p) => `arn:${p}:s3`,
  'AWS::Lambda::Function': (p) => `arn:${p}:lambda`,
  'AWS::DynamoDB::Table': (p) => `arn:${p}:dynamodb`,
};

function sorted(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}

export function basicSelectors(partition: Partition, s: SelectorSettings): BasicSelector[] {
  const choices = dataChoices(partition, s.dataEvents);
  const management = s.managementEvents.readWrite;
  const selectors: BasicSelector[] = [];
  for (const rw of READ_WRITE_ORDER) {
    const mine = choices.filter((c) => c.readWrite === rw);
    const includeManagementEvents = management === rw;
    if (mine.length === 0 && !includeManagementEvents) continue;
    selectors.push({
      readWriteType: rw,
      includeManagementEvents,
      excludeManagementEventSources: includeManagementEvents ? excludedSources(s.managementEvents) : [],
      dataResources: TYPE_ORDER.flatMap((type) => {
        const values = mine.filter((c) => c.type === type).map((c) => c.value ?? ALL_VALUE[type](partition));
        return values.length > 0 ? [{ type, values: sorted(values) }] : [];
      }),
    });
  }
  return selectors;
}

const readOnlyField = (rw: ReadWrite): FieldSelector[] => (rw === 'All' ? [] : [{ field: 'readOnly', equals: [rw === 'ReadOnly' ? 'true' : 'false'] }]);

export function advancedSelectors(partition: Partition, s: SelectorSettings): AdvancedSelector[] {
  const selectors: AdvancedSelector[] = [];
  const m = s.managementEvents;
  if (m.readWrite !== 'None') {
    const excluded = excludedSources(m);
    selectors.push({
      name: `Management events (${m.readWrite})${excluded.length ? `, excluding ${excluded.join(', ')}` : ''}`,
      fieldSelectors: [
        { field: 'eventCategory', equals: ['Management'] },
        ...readOnlyField(m.readWrite),
        ...(excluded.length ? [{ field: 'eventSource', notEquals: excluded }] : []),
      ],
    });
  }
  const choices = dataChoices(partition, s.dataEvents);
  for (const type of TYPE_ORDER) {
    for (const rw of READ_WRITE_ORDER) {
      const mine = choices.filter((c) => c.type === type && c.readWrite === rw);
      const base: FieldSelector[] = [{ field: 'eventCategory', equals: ['Data'] }, { field: 'resources.type', equals: [type] }, ...readOnlyField(rw)];
      if (mine.some((c) => c.value === undefined)) {
        selectors.push({ name: `${type} data events: all resources (${rw})`, fieldSelectors: base });
      }
      const values = sorted(mine.flatMap((c) => (c.value === undefined ? [] : [c.value])));
      if (values.length > 0) {
        // S3 values are object-ARN prefixes; Lambda and DynamoDB ARNs are exact.
        const arnField: FieldSelector =
          type === 'AWS::S3::Object' ? { field: 'resources.ARN', startsWith: values } : { field: 'resources.ARN', equals: values };
        selectors.push({ name: `${type} data events: selected resources (${rw})`, fieldSelectors: [...base, arnField] });
      }
    }
  }
  selectors.push(...networkActivitySelectors(s.networkActivityEvents ?? []));
  for (const raw of s.dataEvents.advanced) {
    selectors.push({ name: raw.name ?? '', fieldSelectors: raw.fieldSelectors });
  }
  return selectors;
}

/** One selector per event source: CloudTrail takes a single eventSource value per network activity selector. */
export function networkActivitySelectors(sources: readonly NetworkActivitySource[]): AdvancedSelector[] {
  return [...sources]
    .sort((a, b) => (a.eventSource < b.eventSource ? -1 : a.eventSource > b.eventSource ? 1 : 0))
    .map((src) => {
      const names = sorted(src.eventNames);
      return {
        name: `Network activity events: ${src.eventSource}${names.length ? ` (${names.length} operation${names.length === 1 ? '' : 's'})` : ''}`,
        fieldSelectors: [
          { field: 'eventCategory', equals: ['NetworkActivity'] },
          { field: 'eventSource', equals: [src.eventSource] },
          ...(names.length ? [{ field: 'eventName', equals: names }] : []),
        ],
      };
    });
}

export function countDataResources(selectors: readonly BasicSelector[]): number {
  return selectors.reduce((n, s) => n + s.dataResources.reduce((m, r) => m + r.values.length, 0), 0);
}

export function countAdvancedValues(selectors: readonly AdvancedSelector[]): number {
  let n = 0;
  for (const sel of selectors) {
    for (const fs of sel.fieldSelectors) {
      for (const [key, values] of Object.entries(fs)) if (key !== 'field') n += (values as readonly string[] | undefined)?.length ?? 0;
    }
  }
  return n;
}

/**
 * Selectors per settings object: validation (limits) and the trail module
 * (resources) both need them, once per trail. Settings are read-only data.
 */
const computed = new WeakMap<SelectorSettings, { readonly partition: Partition; readonly selectors: EventSelectors }>();

/**
 * The selectors for a trail. Basic unless raw advanced selectors or network
 * activity events are given, or the basic form exceeds its limits (250 data
 * resources), in which case the advanced form is used if it fits in 500 values.
 */
export function eventSelectors(partition: Partition, s: SelectorSettings): EventSelectors {
  const hit = computed.get(s);
  if (hit && hit.partition === partition) return hit.selectors;
  const selectors = computeEventSelectors(partition, s);
  computed.set(s, { partition, selectors });
  return selectors;
}

function computeEventSelectors(partition: Partition, s: SelectorSettings): EventSelectors {
  if (s.dataEvents.advanced.length === 0 && (s.networkActivityEvents ?? []).length === 0) {
    const basic = basicSelectors(partition, s);
    if (basic.length <= SELECTOR_LIMITS.basicSelectors && countDataResources(basic) <= SELECTOR_LIMITS.dataResources) {
      return { kind: 'basic', selectors: basic };
    }
  }
  return { kind: 'advanced', selectors: advancedSelectors(partition, s) };
}

/** True for the selector CloudTrail applies when none is given; the provider reads it back as "none". */
export function isDefaultSelectorSet(sel: EventSelectors): boolean {
  if (sel.kind !== 'basic' || sel.selectors.length !== 1) return false;
  const [only] = sel.selectors;
  return only.readWriteType === 'All' && only.includeManagementEvents && only.excludeManagementEventSources.length === 0 && only.dataResources.length === 0;
}

/** What the selector limits say about a selector set; empty when within limits. */
export function selectorLimitProblems(sel: EventSelectors): string[] {
  const problems: string[] = [];
  if (sel.kind === 'basic') {
    if (sel.selectors.length > SELECTOR_LIMITS.basicSelectors) {
      problems.push(`${sel.selectors.length} event selectors; CloudTrail allows ${SELECTOR_LIMITS.basicSelectors} per trail`);
    }
    const n = countDataResources(sel.selectors);
    if (n > SELECTOR_LIMITS.dataResources) problems.push(`${n} data resources; CloudTrail allows ${SELECTOR_LIMITS.dataResources} per trail`);
  } else {
    const n = countAdvancedValues(sel.selectors);
    if (n > SELECTOR_LIMITS.advancedValues) {
      const network = countAdvancedValues(sel.selectors.filter(isNetworkActivitySelector));
      problems.push(
        `the advanced event selectors have ${n} condition values${network ? ` (${network} of them for network activity events)` : ''}; CloudTrail allows ${SELECTOR_LIMITS.advancedValues} per trail ` +
          `(log whole buckets or "all" choices instead of many single resources${network ? ', log every operation of a network event source instead of listing eventNames' : ''}, or split them over several trails)`,
      );
    }
  }
  return problems;
}

/** A selector of network activity events (eventCategory Equals NetworkActivity). */
export function isNetworkActivitySelector(sel: AdvancedSelector): boolean {
  return sel.fieldSelectors.some((f) => f.field === 'eventCategory' && (f.equals ?? []).includes('NetworkActivity'));
}

/**
 * Drift of a live trail from the config, as pure functions: the expected
 * values come from the same builders the stacks use (modules/arns.ts,
 * modules/selectors.ts, the trail module's role name), and the live values
 * are the CloudTrail API's own shapes (GetTrail, GetEventSelectors,
 * GetInsightSelectors, GetEventConfiguration), so nothing is re-derived here.
 *
 * Two settings live outside Terraform (the aws provider 5.100.0 cannot
 * express them): the event categories of Insights (`PutInsightSelectors`
 * `EventCategories`: Management and/or Data) and event aggregation
 * (`PutEventConfiguration` `AggregationConfigurations`). The config has no
 * key for either, so the expected values are "management events only" and
 * "none"; anything else was set by hand and is drift, reported with a note.
 */
import type { AdvancedEventSelector, AggregationConfiguration, EventSelector, InsightSelector, Trail } from '@aws-sdk/client-cloudtrail';
import type { FleetConfig, TrailConfig } from '../../../config/model';
import * as arns from '../../../modules/arns';
import { deliveryRoleName } from '../../../modules/fleet-trail';
import { eventSelectors, EventSelectors } from '../../../modules/selectors';

export interface Drift {
  /** The config key that differs, e.g. `multiRegion`, `eventSelectors`. */
  readonly setting: string;
  readonly expected: string;
  readonly actual: string;
  /** Why this matters beyond the values, e.g. that Terraform neither sees nor keeps the setting. */
  readonly note?: string;
}

/** What the live trail must look like; `kmsKey` is a pattern when only the key's account and region are known from the config. */
export interface ExpectedTrail {
  readonly name: string;
  readonly trailArn: string;
  readonly homeRegion: string;
  readonly s3BucketName: string;
  readonly s3KeyPrefix?: string;
  readonly isMultiRegionTrail: boolean;
  readonly includeGlobalServiceEvents: boolean;
  readonly isOrganizationTrail: boolean;
  readonly logFileValidationEnabled: boolean;
  readonly enableLogging: boolean;
  /** undefined = no key; `exact` = this key ARN; `keyIn` = some key of this account and region (alias or central key: its id is not in the config). */
  readonly kmsKey?: { readonly exact: string } | { readonly keyIn: string };
  readonly snsTopicArn?: string;
  readonly cloudWatchLogsLogGroupArn?: string;
  readonly cloudWatchLogsRoleArn?: string;
  readonly selectors: EventSelectors;
  readonly insightTypes: readonly string[];
  /** Event categories of each Insights type (`Management`: what Terraform's insight_selector puts). */
  readonly insightCategories: Readonly<Record<string, readonly string[]>>;
  /** Event aggregation (GetEventConfiguration `AggregationConfigurations`): none, the config cannot ask for it. */
  readonly eventAggregation: readonly AggregationConfiguration[];
}

function keyPrefix(partition: string, region: string, accountId: string): string {
  return `arn:${partition}:kms:${region}:${accountId}:key/`;
}

export function expectedTrail(config: Pick<FleetConfig, 'partition' | 'central'>, t: TrailConfig): ExpectedTrail {
  const { partition, central } = config;
  let kmsKey: ExpectedTrail['kmsKey'];
  if (t.kmsKey.kind === 'central') kmsKey = { keyIn: keyPrefix(partition, central.region, central.accountId) };
  if (t.kmsKey.kind === 'create') kmsKey = { keyIn: keyPrefix(partition, central.region, t.accountId) };
  if (t.kmsKey.kind === 'arn') {
    const [, , , region, account, resource] = t.kmsKey.arn.split(':');
    kmsKey = resource.startsWith('key/') ? { exact: t.kmsKey.arn } : { keyIn: keyPrefix(partition, region, account) };
  }
  const sns = t.sns && (t.sns.kind === 'existing' ? t.sns.topicArn : arns.snsTopicArn(partition, t.region, t.accountId, t.sns.topicName));
  const cwl = t.cloudWatchLogs;
  const insightTypes = [...(t.insights.apiCallRate ? ['ApiCallRateInsight'] : []), ...(t.insights.apiErrorRate ? ['ApiErrorRateInsight'] : [])];
  const group = cwl && (cwl.logGroup.kind === 'create' ? arns.logGroupArn(partition, t.region, t.accountId, cwl.logGroup.name) : cwl.logGroup.arn.replace(/:\*$/, ''));
  return {
    name: t.trailName,
    trailArn: arns.trailArn(partition, t.region, t.accountId, t.trailName),
    homeRegion: t.region,
    s3BucketName: central.bucketName,
    s3KeyPrefix: t.prefix,
    isMultiRegionTrail: t.multiRegion,
    includeGlobalServiceEvents: t.includeGlobalServiceEvents,
    isOrganizationTrail: t.organizationTrail,
    logFileValidationEnabled: t.logFileValidation,
    enableLogging: t.enableLogging,
    kmsKey,
    snsTopicArn: sns,
    cloudWatchLogsLogGroupArn: group && `${group}:*`,
    cloudWatchLogsRoleArn: cwl && (cwl.roleArn ?? `arn:${partition}:iam::${t.accountId}:role/${deliveryRoleName(t.trailName)}`),
    selectors: eventSelectors(partition, t),
    insightTypes,
    insightCategories: Object.fromEntries(insightTypes.map((type) => [type, ['Management']])),
    eventAggregation: [],
  };
}

const show = (v: unknown) => (v === undefined || v === '' ? '(none)' : String(v));

/** Differences between the config and GetTrail's `Trail`. */
export function trailDrift(expected: ExpectedTrail, trail: Trail): Drift[] {
  const out: Drift[] = [];
  const eq = (setting: string, want: unknown, got: unknown) => {
    if ((want ?? '') !== (got ?? '')) out.push({ setting, expected: show(want), actual: show(got) });
  };
  // GetTrail always returns these; an answer without one says nothing about it.
  const known = (setting: string, want: unknown, got: unknown) => got !== undefined && eq(setting, want, got);
  known('region (home region)', expected.homeRegion, trail.HomeRegion);
  eq('central.bucketName (S3 bucket)', expected.s3BucketName, trail.S3BucketName);
  eq('prefix', expected.s3KeyPrefix, trail.S3KeyPrefix);
  known('multiRegion', expected.isMultiRegionTrail, trail.IsMultiRegionTrail);
  known('includeGlobalServiceEvents', expected.includeGlobalServiceEvents, trail.IncludeGlobalServiceEvents);
  known('organizationTrail', expected.isOrganizationTrail, trail.IsOrganizationTrail);
  known('logFileValidation', expected.logFileValidationEnabled, trail.LogFileValidationEnabled);
  const key = expected.kmsKey;
  const liveKey = trail.KmsKeyId;
  if (!key) eq('kmsKey', undefined, liveKey);
  else if ('exact' in key) eq('kmsKey', key.exact, liveKey);
  else if (!liveKey?.startsWith(key.keyIn)) out.push({ setting: 'kmsKey', expected: `a key ${key.keyIn}…`, actual: show(liveKey) });
  eq('sns (topic)', expected.snsTopicArn, trail.SnsTopicARN);
  eq('cloudWatchLogs (log group)', expected.cloudWatchLogsLogGroupArn, trail.CloudWatchLogsLogGroupArn);
  eq('cloudWatchLogs.roleArn', expected.cloudWatchLogsRoleArn, trail.CloudWatchLogsRoleArn);
  return out;
}

const sortedStrings = (v: readonly string[] | undefined) => [...(v ?? [])].sort();

/** One canonical line per selector, so the order of selectors, resources and values does not matter. */
function canonicalBasic(s: { readWriteType?: string; includeManagementEvents?: boolean; exclude?: readonly string[]; data?: readonly { type?: string; values?: readonly string[] }[] }): string {
  const data = (s.data ?? []).map((d) => ({ type: d.type ?? '', values: sortedStrings(d.values) })).sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
  return JSON.stringify({ readWrite: s.readWriteType ?? 'All', management: s.includeManagementEvents ?? true, exclude: sortedStrings(s.exclude), data });
}

const OPERATORS = [
  ['equals', 'Equals'],
  ['notEquals', 'NotEquals'],
  ['startsWith', 'StartsWith'],
  ['notStartsWith', 'NotStartsWith'],
  ['endsWith', 'EndsWith'],
  ['notEndsWith', 'NotEndsWith'],
] as const;

/** A selector's name labels it and changes nothing CloudTrail logs, so only its fields are compared. */
function canonicalAdvanced(fields: readonly Record<string, unknown>[]): string {
  const canon = fields
    .map((f) => {
      const out: Record<string, unknown> = { field: f.field };
      for (const [op] of OPERATORS) if (f[op] !== undefined && (f[op] as string[]).length > 0) out[op] = sortedStrings(f[op] as string[]);
      return JSON.stringify(out);
    })
    .sort();
  return JSON.stringify({ fields: canon });
}

/** The expected selectors as canonical lines. */
export function expectedSelectorLines(sel: EventSelectors): { kind: 'basic' | 'advanced'; lines: string[] } {
  if (sel.kind === 'basic') {
    return {
      kind: 'basic',
      lines: sel.selectors
        .map((s) => canonicalBasic({ readWriteType: s.readWriteType, includeManagementEvents: s.includeManagementEvents, exclude: s.excludeManagementEventSources, data: s.dataResources }))
        .sort(),
    };
  }
  return { kind: 'advanced', lines: sel.selectors.map((s) => canonicalAdvanced(s.fieldSelectors as unknown as Record<string, unknown>[])).sort() };
}

/** The live selectors (GetEventSelectors) as canonical lines. */
export function liveSelectorLines(basic: readonly EventSelector[] | undefined, advanced: readonly AdvancedEventSelector[] | undefined): { kind: 'basic' | 'advanced'; lines: string[] } {
  if (advanced && advanced.length > 0) {
    return {
      kind: 'advanced',
      lines: advanced
        .map((s) =>
          canonicalAdvanced(
            (s.FieldSelectors ?? []).map((f) => {
              const out: Record<string, unknown> = { field: f.Field };
              for (const [op, api] of OPERATORS) out[op] = f[api];
              return out;
            }),
          ),
        )
        .sort(),
    };
  }
  return {
    kind: 'basic',
    lines: (basic ?? [])
      .map((s) =>
        canonicalBasic({
          readWriteType: s.ReadWriteType,
          includeManagementEvents: s.IncludeManagementEvents,
          exclude: s.ExcludeManagementEventSources,
          data: (s.DataResources ?? []).map((d) => ({ type: d.Type, values: d.Values })),
        }),
      )
      .sort(),
  };
}

/** The config keys the event selectors come from. */
const SELECTOR_SETTINGS = 'managementEvents/dataEvents/networkActivityEvents (event selectors)';

/** Selector drift: the kind (basic/advanced) and every selector that is missing or extra. */
export function selectorDrift(expected: EventSelectors, basic: readonly EventSelector[] | undefined, advanced: readonly AdvancedEventSelector[] | undefined): Drift[] {
  const want = expectedSelectorLines(expected);
  const got = liveSelectorLines(basic, advanced);
  if (want.kind !== got.kind) return [{ setting: SELECTOR_SETTINGS, expected: `${want.kind} selectors`, actual: `${got.kind} selectors` }];
  const missing = want.lines.filter((l) => !got.lines.includes(l));
  const extra = got.lines.filter((l) => !want.lines.includes(l));
  if (missing.length === 0 && extra.length === 0) return [];
  return [{ setting: SELECTOR_SETTINGS, expected: missing.join(' ') || '(nothing more)', actual: extra.join(' ') || '(missing)' }];
}

/** Insights drift; `live` = the InsightType of each GetInsightSelectors entry ([] when Insights is not enabled). */
export function insightDrift(expected: readonly string[], live: readonly string[]): Drift[] {
  const want = sortedStrings(expected).join(', ');
  const got = sortedStrings(live).join(', ');
  return want === got ? [] : [{ setting: 'insights', expected: show(want), actual: show(got) }];
}

/** Said with drift of Insights event categories. */
export const INSIGHT_CATEGORIES_NOTE =
  'set outside Terraform (PutInsightSelectors EventCategories), which the aws provider 5.100.0 cannot express: ' +
  'a Terraform apply that puts this trail\'s Insights selectors again resets them to management events';

/** Said with drift of event aggregation. */
export const AGGREGATION_NOTE =
  'set outside Terraform (PutEventConfiguration), which the aws provider 5.100.0 cannot manage and the config cannot ask for: ' +
  'a Terraform apply may reset it (a replaced trail starts without it); remove it with ' +
  '`aws cloudtrail put-event-configuration --trail-name <trail> --aggregation-configurations \'[]\'`, or accept the drift';

/** GetInsightSelectors entries as type -> categories (none given = Management, as AWS documents). */
export function liveInsightCategories(live: readonly InsightSelector[] | undefined): Map<string, string[]> {
  const out = new Map<string, Set<string>>();
  for (const s of live ?? []) {
    if (!s.InsightType) continue;
    const set = out.get(s.InsightType) ?? new Set<string>();
    for (const c of s.EventCategories && s.EventCategories.length > 0 ? s.EventCategories : ['Management']) set.add(c);
    out.set(s.InsightType, set);
  }
  return new Map([...out].map(([type, set]) => [type, [...set].sort()]));
}

const typeWithCategories = (type: string, categories: readonly string[]) =>
  categories.length === 1 && categories[0] === 'Management' ? type : `${type} (${[...categories].sort().join(', ')})`;

/**
 * Insights drift from GetInsightSelectors (undefined or [] when Insights is
 * not enabled): the types (`insights`), then, for a type on both sides, its
 * event categories (`insights event categories`, with a note). A type only
 * live is shown with its categories when they are not management events.
 */
export function insightsDrift(expected: Pick<ExpectedTrail, 'insightTypes' | 'insightCategories'>, live: readonly InsightSelector[] | undefined): Drift[] {
  const liveCategories = liveInsightCategories(live);
  const want = sortedStrings(expected.insightTypes);
  const got = [...liveCategories.keys()].sort();
  const out: Drift[] = [];
  if (want.join(',') !== got.join(',')) {
    const shown = got.map((type) => typeWithCategories(type, liveCategories.get(type)!)).join(', ');
    out.push({ setting: 'insights', expected: show(want.join(', ')), actual: show(shown), ...(shown !== got.join(', ') ? { note: INSIGHT_CATEGORIES_NOTE } : {}) });
  }
  const differing = want.filter((type) => liveCategories.has(type) && sortedStrings(expected.insightCategories[type] ?? ['Management']).join(',') !== liveCategories.get(type)!.join(','));
  if (differing.length > 0) {
    out.push({
      setting: 'insights event categories',
      expected: differing.map((type) => `${type}: ${sortedStrings(expected.insightCategories[type] ?? ['Management']).join(', ')}`).join('; '),
      actual: differing.map((type) => `${type}: ${liveCategories.get(type)!.join(', ')}`).join('; '),
      note: INSIGHT_CATEGORIES_NOTE,
    });
  }
  return out;
}

function aggregationText(configs: readonly AggregationConfiguration[]): string {
  return configs
    .map((c) => `${c.EventCategory ?? '?'}: ${sortedStrings(c.Templates).join(', ') || '(no template)'}`)
    .sort()
    .join('; ');
}

/** Event aggregation drift from GetEventConfiguration `AggregationConfigurations` (absent = none). */
export function aggregationDrift(expected: readonly AggregationConfiguration[], live: readonly AggregationConfiguration[] | undefined): Drift[] {
  const want = aggregationText(expected);
  const got = aggregationText(live ?? []);
  return want === got ? [] : [{ setting: 'eventAggregation', expected: show(want), actual: show(got), note: AGGREGATION_NOTE }];
}

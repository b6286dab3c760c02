/**
 * Detection (docs/guard.md, "Detection"): the rules each account stack
 * carries match the CloudTrail management events of the guarded actions on
 * the fleet's resources (read from the synthesized event_pattern, run through
 * an EventBridge pattern matcher), ConsoleLogin and everyday activity do not
 * match, and the central bus accepts events only from the fleet's accounts
 * (its policy, evaluated).
 */
import { configOf, resourcesOf, stackOf, synthFleet } from '../../helpers/fleet';
import { guardFleet, memberId } from '../../helpers/guard-fleet';
import { matchesPattern, Pattern } from '../../helpers/event-pattern-matcher';
import { evaluate } from '../../helpers/iam-evaluator';
import { accountWatches, detectionRules, EVENT_PATTERN_LIMIT, eventPattern, packWatches, patternCharacters } from '../../../modules/guard/detection-rules';
import { GUARD_EVENTS_ROLE, GUARDED_ACTIONS, guardBusArn, iamEventsRegion } from '../../../modules/guard/scope';
import { fleetEventBusPolicy, guardEventBusPolicy, guardEventsRolePolicy, guardEventsRoleTrustPolicy, guardTopicPolicy } from '../../../modules/guard/guard-policies';
import { parsePolicy } from '../../helpers/fleet';

const A = memberId(0);
const B = memberId(1);
const raw = guardFleet(2, { trailsPerAccount: 2, deliveries: true });
const config = configOf(raw);
const stacks = synthFleet(config);

/** The rules of an account stack as synthesized: region -> patterns. */
function synthesizedRules(accountId: string): { region: string; name: string; pattern: Pattern; target: any }[] {
  const stack = stackOf(stacks, `cloudtrail-account-${accountId}`);
  const providers = ([] as any[]).concat(stack.provider.aws);
  const regionOf = (ref?: string) => (ref ? providers.find((p) => `aws.${p.alias}` === ref).region : providers.find((p) => !p.alias).region);
  const targets = resourcesOf(stack, 'aws_cloudwatch_event_target');
  return Object.entries(resourcesOf(stack, 'aws_cloudwatch_event_rule')).map(([id, r]) => ({
    region: regionOf(r.provider),
    name: r.name,
    pattern: JSON.parse(r.event_pattern),
    target: targets[`${id}_target`],
  }));
}

/** A CloudTrail management event as EventBridge delivers it to the account's default bus in `region`. */
function apiCall(accountId: string, region: string, source: string, eventName: string, requestParameters: Record<string, unknown> = {}) {
  return {
    version: '0',
    id: '6f87d04b-9f74-4f04-a780-7acf4b0a9b38',
    'detail-type': 'AWS API Call via CloudTrail',
    source: `aws.${source}`,
    account: accountId,
    time: '2026-12-04T10:00:00Z',
    region,
    resources: [],
    detail: {
      eventVersion: '1.09',
      userIdentity: { type: 'AssumedRole', arn: `arn:aws:sts::${accountId}:assumed-role/Admin/mallory`, accountId },
      eventTime: '2026-12-04T10:00:00Z',
      eventSource: `${source}.amazonaws.com`,
      eventName,
      awsRegion: region,
      requestParameters,
      responseElements: null,
      eventType: 'AwsApiCall',
      managementEvent: true,
      eventCategory: 'Management',
    },
  };
}

/** Whether any rule of the account in the event's region matches it. */
function caught(accountId: string, event: { region: string }): boolean {
  return synthesizedRules(accountId).some((r) => r.region === event.region && matchesPattern(r.pattern, event));
}

describe("each account's rules catch tampering with its trails, keys, topics, log groups and roles", () => {
  test('StopLogging on a fleet trail, from the fleet account, in the home region: matched and sent to the central bus with the events role', () => {
    const trailArn = `arn:aws:cloudtrail:us-east-2:${A}:trail/trail-1`;
    const event = apiCall(A, 'us-east-2', 'cloudtrail', 'StopLogging', { name: trailArn });
    const rules = synthesizedRules(A).filter((r) => r.region === 'us-east-2' && matchesPattern(r.pattern, event));
    expect(rules).toHaveLength(1);
    expect(rules[0].target.arn).toBe(guardBusArn(config));
    expect(rules[0].target.role_arn).toBe('${aws_iam_role.guard_events_role.arn}');
  });

  test.each(GUARDED_ACTIONS.cloudtrail.map((a) => [a]))('cloudtrail %s in a trail home region is matched', (eventName) => {
    expect(caught(A, apiCall(A, 'us-east-2', 'cloudtrail', eventName, { name: 'trail-1' }))).toBe(true);
    expect(caught(A, apiCall(A, 'eu-west-1', 'cloudtrail', eventName, { name: 'trail-2' }))).toBe(true);
  });

  test.each(GUARDED_ACTIONS.kms.map((a) => [a]))('kms %s in the key region is matched', (eventName) => {
    expect(caught(A, apiCall(A, 'us-east-2', 'kms', eventName, { keyId: 'arn:aws:kms:us-east-2:x:key/1' }))).toBe(true);
  });

  test('SNS, CloudWatch Logs and IAM events match on the fleet names only', () => {
    const topicArn = `arn:aws:sns:us-east-2:${A}:ct-trail-1`;
    for (const eventName of GUARDED_ACTIONS.sns) {
      expect(caught(A, apiCall(A, 'us-east-2', 'sns', eventName, { topicArn }))).toBe(true);
      expect(caught(A, apiCall(A, 'us-east-2', 'sns', eventName, { topicArn: `arn:aws:sns:us-east-2:${A}:app-alerts` }))).toBe(false);
    }
    for (const eventName of GUARDED_ACTIONS.logs) {
      expect(caught(A, apiCall(A, 'eu-west-1', 'logs', eventName, { logGroupName: 'ct-trail-2' }))).toBe(true);
      expect(caught(A, apiCall(A, 'eu-west-1', 'logs', eventName, { logGroupName: '/aws/lambda/app' }))).toBe(false);
    }
    for (const eventName of GUARDED_ACTIONS.iam) {
      for (const roleName of ['CloudTrailToCWL-trail-1', 'TerraformDeploy', GUARD_EVENTS_ROLE]) {
        expect([roleName, eventName, caught(A, apiCall(A, 'us-east-1', 'iam', eventName, { roleName }))]).toEqual([roleName, eventName, true]);
      }
      expect(caught(A, apiCall(A, 'us-east-1', 'iam', eventName, { roleName: 'app-role' }))).toBe(false);
    }
  });

  test('ConsoleLogin, reads and unguarded writes are not matched', () => {
    const login = {
      ...apiCall(A, 'us-east-2', 'signin', 'ConsoleLogin'),
      'detail-type': 'AWS Console Sign In via CloudTrail',
    };
    expect(caught(A, login)).toBe(false);
    expect(caught(A, apiCall(A, 'us-east-2', 'cloudtrail', 'ConsoleLogin'))).toBe(false);
    expect(caught(A, apiCall(A, 'us-east-2', 'cloudtrail', 'CreateTrail', { name: 'team-trail' }))).toBe(false);
    expect(caught(A, apiCall(A, 'us-east-2', 'cloudtrail', 'StartLogging', { name: 'trail-1' }))).toBe(false);
    expect(caught(A, apiCall(A, 'us-east-2', 'kms', 'Decrypt'))).toBe(false);
    expect(caught(A, apiCall(A, 'us-east-2', 's3', 'DeleteBucket', { bucketName: 'x' }))).toBe(false);
    // Another service's event with a guarded name is not a match either.
    expect(caught(A, apiCall(A, 'us-east-2', 'ec2', 'DeleteTrail'))).toBe(false);
  });

  test('the rules sit where the calls happen: home regions, the key region, and the region of IAM events', () => {
    expect(synthesizedRules(A).map((r) => `${r.region} ${r.name}`).sort()).toEqual(['eu-west-1 cloudtrail-fleet-guard', 'us-east-1 cloudtrail-fleet-guard', 'us-east-2 cloudtrail-fleet-guard']);
    expect(iamEventsRegion('aws')).toBe('us-east-1');
    expect(iamEventsRegion('aws-us-gov')).toBe('us-gov-west-1');
    expect(iamEventsRegion('aws-cn')).toBe('cn-north-1');
    // The management account's trail is watched too (SCPs cannot protect it: detection is all it has).
    expect(detectionRules(config, '111111111111').map((r) => r.region)).toContain('us-east-2');
  });

  test('every pattern is within the 2,048-character quota; a long one is split into several rules', () => {
    for (const a of [A, B]) for (const r of detectionRules(config, a)) expect(patternCharacters(r.pattern)).toBeLessThanOrEqual(EVENT_PATTERN_LIMIT);
    const many = Array.from({ length: 120 }, (_, i) => `CloudTrailToCWL-trail-with-a-long-name-${i}`);
    const groups = packWatches([{ service: 'cloudtrail' }, { service: 'iam', scope: { field: 'roleName', values: many } }]);
    expect(groups.length).toBeGreaterThan(2);
    for (const g of groups) expect(patternCharacters(eventPattern(g))).toBeLessThanOrEqual(EVENT_PATTERN_LIMIT);
    // Nothing lost: every role name is in exactly one rule.
    expect(groups.flat().flatMap((w) => w.scope?.values ?? []).sort()).toEqual([...many].sort());
  });

  test('watches are computed per account from the config, reordering nothing', () => {
    const reversed = configOf({ ...raw, accounts: [...raw.accounts].reverse() });
    expect(JSON.stringify([...accountWatches(reversed, A)])).toBe(JSON.stringify([...accountWatches(config, A)]));
  });
});

describe('the central bus accepts events only from the fleet', () => {
  const bus = guardBusArn(config);
  const policy = parsePolicy(resourcesOf(stackOf(stacks, 'cloudtrail-central'), 'aws_cloudwatch_event_bus_policy').guard_bus_policy.policy);
  const putEvents = (accountId: string, extra: Record<string, string> = {}) => ({
    principal: { aws: `arn:aws:sts::${accountId}:assumed-role/${GUARD_EVENTS_ROLE}/events` },
    action: 'events:PutEvents',
    resource: bus,
    context: { 'aws:PrincipalAccount': accountId, ...extra },
  });

  test('a StopLogging event forwarded by a fleet account is accepted; the same from an account outside the fleet is refused', () => {
    expect(policy).toEqual(fleetEventBusPolicy(config).document);
    expect(evaluate(policy, putEvents(A)).decision).toBe('Allow');
    expect(evaluate(policy, putEvents(B)).decision).toBe('Allow');
    expect(evaluate(policy, putEvents('999999999999')).decision).toBe('ImplicitDeny');
    // Only PutEvents, only on this bus.
    expect(evaluate(policy, { ...putEvents(A), action: 'events:PutRule' }).decision).toBe('ImplicitDeny');
    expect(evaluate(policy, { ...putEvents(A), resource: bus.replace('cloudtrail-fleet-guard', 'other') }).decision).toBe('ImplicitDeny');
  });

  test('past the 10 KB limit the organization is admitted instead, and nothing outside it', () => {
    const accounts = Array.from({ length: 700 }, (_, i) => memberId(i));
    const big = guardEventBusPolicy({ busArn: bus, accounts, organizationId: 'o-exampleorgid' });
    expect(big.encoding).toBe('organization');
    expect(big.fits).toBe(true);
    expect(evaluate(big.document, putEvents(A, { 'aws:PrincipalOrgID': 'o-exampleorgid' })).decision).toBe('Allow');
    expect(evaluate(big.document, putEvents('999999999999', { 'aws:PrincipalOrgID': 'o-otherorg0000' })).decision).toBe('ImplicitDeny');
    expect(evaluate(big.document, putEvents('999999999999')).decision).toBe('ImplicitDeny');
    const noOrg = guardEventBusPolicy({ busArn: bus, accounts });
    expect(noOrg.encoding).toBe('accounts');
    expect(noOrg.fits).toBe(false);
    expect(guardEventBusPolicy({ busArn: bus, accounts: accounts.slice(0, 600) }).fits).toBe(true);
  });

  test("each account's events role: assumed by EventBridge only, may put events on the guard bus only", () => {
    const trust = guardEventsRoleTrustPolicy();
    expect(evaluate(trust, { principal: { service: 'events.amazonaws.com' }, action: 'sts:AssumeRole', resource: '*', context: {} }).decision).toBe('Allow');
    expect(evaluate(trust, { principal: { aws: `arn:aws:iam::${A}:role/Admin` }, action: 'sts:AssumeRole', resource: '*', context: {} }).decision).toBe('ImplicitDeny');
    const perms = guardEventsRolePolicy(bus);
    expect(evaluate(perms, { principal: {}, action: 'events:PutEvents', resource: bus, context: {} }).decision).toBe('Allow');
    expect(evaluate(perms, { principal: {}, action: 'events:PutEvents', resource: bus.replace(':event-bus/cloudtrail-fleet-guard', ':event-bus/default'), context: {} }).decision).toBe('ImplicitDeny');
    expect(evaluate(perms, { principal: {}, action: 'iam:PassRole', resource: '*', context: {} }).decision).toBe('ImplicitDeny');
    const stack = stackOf(stacks, `cloudtrail-account-${A}`);
    expect(parsePolicy(resourcesOf(stack, 'aws_iam_role').guard_events_role.assume_role_policy)).toEqual(trust);
    expect(parsePolicy(resourcesOf(stack, 'aws_iam_role_policy').guard_events_role_policy.policy)).toEqual(perms);
  });

  test('deliverTo snsTopic: the topic accepts only the central rule that forwards the bus', () => {
    const topicConfig = configOf(guardFleet(1, { deliverTo: 'snsTopic' }));
    const central = stackOf(synthFleet(topicConfig), 'cloudtrail-central');
    const topicArn = 'arn:aws:sns:us-east-2:111111111111:cloudtrail-fleet-guard';
    const ruleArn = 'arn:aws:events:us-east-2:111111111111:rule/cloudtrail-fleet-guard/cloudtrail-fleet-guard-to-topic';
    const topicPolicy = parsePolicy(resourcesOf(central, 'aws_sns_topic_policy').guard_topic_policy.policy);
    expect(topicPolicy).toEqual(guardTopicPolicy(topicArn, ruleArn));
    const publish = (sourceArn: string) => ({ principal: { service: 'events.amazonaws.com' }, action: 'sns:Publish', resource: topicArn, context: { 'aws:SourceArn': sourceArn } });
    expect(evaluate(topicPolicy, publish(ruleArn)).decision).toBe('Allow');
    expect(evaluate(topicPolicy, publish('arn:aws:events:us-east-2:999999999999:rule/x')).decision).toBe('ImplicitDeny');
    const rule = resourcesOf(central, 'aws_cloudwatch_event_rule').guard_to_topic;
    expect(rule.event_bus_name).toBe('${aws_cloudwatch_event_bus.guard_bus.name}');
    const forwarded = apiCall(A, 'us-east-2', 'cloudtrail', 'StopLogging', { name: 'trail-1' });
    expect(matchesPattern(JSON.parse(rule.event_pattern), forwarded)).toBe(true);
    expect(resourcesOf(central, 'aws_cloudwatch_event_target').guard_to_topic_target.arn).toBe('${aws_sns_topic.guard_topic.arn}');
  });
});

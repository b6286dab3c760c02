/**
 * The test matcher of EventBridge patterns, on hand-written patterns: each
 * semantic it claims, both outcomes, so the guard's detection tests built
 * on it can be trusted.
 */
import { matchesPattern } from './event-pattern-matcher';

const event = {
  source: 'aws.cloudtrail',
  'detail-type': 'AWS API Call via CloudTrail',
  account: '222222222222',
  detail: { eventSource: 'cloudtrail.amazonaws.com', eventName: 'StopLogging', requestParameters: { name: 'my-trail' }, resources: ['a', 'b'], n: 3, f: false },
};

describe('the EventBridge pattern matcher', () => {
  test('literals: exact, case-sensitive; any listed value', () => {
    expect(matchesPattern({ source: ['aws.cloudtrail'] }, event)).toBe(true);
    expect(matchesPattern({ source: ['aws.kms', 'aws.cloudtrail'] }, event)).toBe(true);
    expect(matchesPattern({ source: ['AWS.cloudtrail'] }, event)).toBe(false);
    expect(matchesPattern({ detail: { n: [3] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { n: ['3'] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { f: [false] } }, event)).toBe(true);
  });
  test('every field must match (AND), nested objects one level down', () => {
    expect(matchesPattern({ source: ['aws.cloudtrail'], detail: { eventName: ['StopLogging'], requestParameters: { name: ['my-trail'] } } }, event)).toBe(true);
    expect(matchesPattern({ source: ['aws.cloudtrail'], detail: { eventName: ['DeleteTrail'] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { requestParameters: { name: ['other'] } } }, event)).toBe(false);
    expect(matchesPattern({ detail: { missing: { x: ['y'] } } }, event)).toBe(false);
  });
  test('an event array matches when one element does', () => {
    expect(matchesPattern({ detail: { resources: ['b'] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { resources: ['c'] } }, event)).toBe(false);
  });
  test('prefix, suffix, anything-but, exists', () => {
    expect(matchesPattern({ detail: { eventName: [{ prefix: 'Stop' }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { eventName: [{ prefix: 'Start' }] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { eventName: [{ suffix: 'Logging' }] } }, event)).toBe(true);
    expect(matchesPattern({ account: [{ 'anything-but': ['111111111111'] }] }, event)).toBe(true);
    expect(matchesPattern({ account: [{ 'anything-but': '222222222222' }] }, event)).toBe(false);
    expect(matchesPattern({ account: [{ 'anything-but': { prefix: '22' } }] }, event)).toBe(false);
    expect(matchesPattern({ detail: { errorCode: [{ exists: false }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { errorCode: [{ exists: true }] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { eventName: [{ exists: true }] } }, event)).toBe(true);
    // A missing field matches nothing but { exists: false }.
    expect(matchesPattern({ detail: { errorCode: [{ 'anything-but': 'x' }] } }, event)).toBe(false);
  });
  test('$or: at least one of the patterns, at the same level, besides the other fields', () => {
    const p = { 'detail-type': ['AWS API Call via CloudTrail'], $or: [{ source: ['aws.kms'] }, { source: ['aws.cloudtrail'], detail: { eventName: ['StopLogging'] } }] };
    expect(matchesPattern(p, event)).toBe(true);
    expect(matchesPattern({ ...p, 'detail-type': ['AWS Console Sign In via CloudTrail'] }, event)).toBe(false);
    expect(matchesPattern({ $or: [{ source: ['aws.kms'] }, { source: ['aws.sns'] }] }, event)).toBe(false);
  });
  test('what it does not model fails loudly', () => {
    expect(() => matchesPattern({ detail: { n: [{ numeric: ['>', 1] }] } }, event)).toThrow(/numeric is not supported/);
    expect(() => matchesPattern({ source: 'aws.cloudtrail' }, event)).toThrow(/must be a list/);
    expect(() => matchesPattern({ $or: [{ source: ['x'] }] }, event)).toThrow(/at least two/);
    expect(() => matchesPattern({ source: [{ prefix: 'a', suffix: 'b' }] }, event)).toThrow(/exactly one operator/);
  });
});

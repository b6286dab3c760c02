/**
 * The event sources of network activity events (config/network-activity.ts)
 * and their documentation stay one list.
 */
import { readFileSync } from 'fs';
import * as path from 'path';
import { eventNameProblem, NETWORK_ACTIVITY_EVENT_SOURCES, NETWORK_ACTIVITY_SERVICES, networkEventSourceProblem } from '../../config/network-activity';
import { ROOT } from '../helpers/fleet';

describe('network activity event sources', () => {
  test('docs/config-reference.md lists exactly the accepted sources', () => {
    const doc = readFileSync(path.join(ROOT, 'docs', 'config-reference.md'), 'utf8');
    const section = doc.slice(doc.indexOf('**Event sources accepted.**'), doc.indexOf('A short name or a typo'));
    const listed = [...section.matchAll(/`([a-z0-9-]+)`/g)].map((m) => `${m[1]}.amazonaws.com`);
    expect([...listed].sort()).toEqual([...NETWORK_ACTIVITY_EVENT_SOURCES]);
  });

  test('the preview and launch sources are in, each once, all <service>.amazonaws.com', () => {
    for (const s of ['cloudtrail', 'ec2', 'kms', 'secretsmanager', 's3']) expect(NETWORK_ACTIVITY_EVENT_SOURCES).toContain(`${s}.amazonaws.com`);
    expect(new Set(NETWORK_ACTIVITY_EVENT_SOURCES).size).toBe(Object.keys(NETWORK_ACTIVITY_SERVICES).length);
    for (const s of NETWORK_ACTIVITY_EVENT_SOURCES) expect(s).toMatch(/^[a-z0-9-]+\.amazonaws\.com$/);
  });

  test('every accepted source passes its rule; a source in another case or form does not', () => {
    for (const s of NETWORK_ACTIVITY_EVENT_SOURCES) expect(networkEventSourceProblem(s)).toBeUndefined();
    expect(networkEventSourceProblem('KMS.amazonaws.com')).toBe(
      `"KMS.amazonaws.com" is not an event source CloudTrail logs network activity events for (did you mean "kms.amazonaws.com"?); write the service's event source in full, e.g. kms.amazonaws.com`,
    );
    expect(networkEventSourceProblem('https://kms.us-east-1.amazonaws.com')).toMatch(/is not an event source/);
  });

  test('event names: API operation names, no wildcards, at most 2048 characters', () => {
    expect(eventNameProblem('GetSecretValue')).toBeUndefined();
    expect(eventNameProblem('Get Secret')).toBe('"Get Secret" is not an API operation name (letters and digits, e.g. GetSecretValue): it contains " "');
    expect(eventNameProblem('')).toBe('event names are 1 to 2048 characters; this one has 0');
    expect(eventNameProblem('A'.repeat(2049))).toBe('event names are 1 to 2048 characters; this one has 2049');
  });
});

import { configWarnings } from '../../config/warnings';
import { fleetWarnings } from '../../modules/fleet-warnings';
import { configOf, defaultRaw, rawWith } from '../helpers/fleet';
import { fleetBucketPolicy } from '../../modules/policies/fleet-policies';
import { isAllowed } from '../helpers/iam-evaluator';

// What a user sees: the config's warnings and those that need the policy builders (modules/fleet-warnings.ts).
const warningsOf = (raw: unknown) => fleetWarnings(configOf(raw));

describe('warnings worth a human eye', () => {
  test('the default config has none', () => {
    expect(warningsOf(defaultRaw())).toEqual([]);
  });

  test('a second trail logging management events in the same region is charged as a second copy', () => {
    const w = warningsOf(
      rawWith((r) => {
        r.accounts.push({ accountId: '222222222222', trailName: 'second', multiRegion: false });
      }),
    );
    expect(w).toContainEqual({ path: 'accounts[1].managementEvents', message: expect.stringMatching(/second copy is charged/) });
  });

  test('a second trail with management events None is not charged', () => {
    const w = warningsOf(
      rawWith((r) => {
        r.accounts.push({ accountId: '222222222222', trailName: 'data-only', managementEvents: { readWrite: 'None' }, dataEvents: { lambda: { allFunctions: 'All' } } });
      }),
    );
    expect(w.filter((x) => /charged/.test(x.message))).toEqual([]);
  });

  test('network activity events are charged like data events: one note per place they are set (defaults once, an account of its own)', () => {
    const w = warningsOf(
      rawWith((r) => {
        r.defaults.networkActivityEvents = { eventSources: ['kms.amazonaws.com'] };
        r.accounts.push({ accountId: '333333333333' }, { accountId: '444444444444' }, { accountId: '555555555555', networkActivityEvents: { eventSources: ['ec2.amazonaws.com'] } });
        r.accounts.push({ accountId: '666666666666', networkActivityEvents: { eventSources: [] } });
      }),
    ).filter((x) => /network activity/.test(x.message));
    expect(w).toEqual([
      {
        path: 'defaults.networkActivityEvents',
        message: expect.stringMatching(/^3 trails log network activity events of kms\.amazonaws\.com: they are charged like data events, per event delivered \(AWS CloudTrail pricing\)/),
      },
      { path: 'accounts[3].networkActivityEvents', message: expect.stringMatching(/^trail my-trail of 555555555555 logs network activity events of ec2\.amazonaws\.com: they are charged like data events/) },
    ]);
  });

  test('S3 data events on the log bucket itself are a feedback loop', () => {
    const w = warningsOf(
      rawWith((r) => {
        r.accounts[0].dataEvents = { s3: { buckets: [{ name: 'my-bucket' }] } };
        r.accounts.push({ accountId: '111111111111', dataEvents: { s3: { allBuckets: 'WriteOnly' } } });
      }),
    );
    expect(w).toContainEqual({ path: 'accounts[0].dataEvents.s3.buckets[0]', message: expect.stringMatching(/log bucket my-bucket itself.*feedback loop/) });
    expect(w).toContainEqual({ path: 'accounts[1].dataEvents.s3.allBuckets', message: expect.stringMatching(/include the log bucket my-bucket/) });
  });

  test('stopped logging, no digest files, single-region trails and kmsKey none under a central key are flagged', () => {
    const w = warningsOf(
      rawWith((r) => {
        Object.assign(r.accounts[0], { enableLogging: false, logFileValidation: false, multiRegion: false, kmsKey: 'none' });
      }),
    );
    expect(w.map((x) => x.path).sort()).toEqual(['accounts[0].enableLogging', 'accounts[0].kmsKey', 'accounts[0].logFileValidation', 'accounts[0].multiRegion']);
  });
});

describe('retention warnings', () => {
  test('COMPLIANCE object lock is irreversible: say so', () => {
    const w = warningsOf(rawWith((r) => (r.central.objectLock = { mode: 'COMPLIANCE', years: 7 })));
    expect(w).toEqual([{ path: 'central.objectLock.mode', message: expect.stringMatching(/not even the root user.*for 7 years/) }]);
  });

  test('GOVERNANCE mode is not flagged', () => {
    expect(warningsOf(rawWith((r) => (r.central.objectLock = { mode: 'GOVERNANCE', days: 30 })))).toEqual([]);
  });

  test('expiry shorter than the lock only adds delete markers', () => {
    const w = warningsOf(
      rawWith((r) => {
        r.central.objectLock = { mode: 'GOVERNANCE', days: 365 };
        r.central.retention = { expireAfterDays: 90 };
      }),
    );
    expect(w).toEqual([{ path: 'central.retention.expireAfterDays', message: expect.stringMatching(/expire after 90 days but stay locked for about 365/) }]);
  });

  test('an organization trail: trusted access with AWS Organizations must be enabled first', () => {
    const w = warningsOf(
      rawWith((r) => {
        r.organization = { id: 'o-exampleorgid', managementAccountId: '111111111111' };
        r.accounts = [{ accountId: '111111111111', organizationTrail: true }];
      }),
    );
    expect(w).toContainEqual({ path: 'accounts[0].organizationTrail', message: expect.stringMatching(/trusted access .* CloudTrailAccessNotEnabledException/) });
  });

  test('decrypt principals must exist before the key policy is applied (account roots are exempt)', () => {
    const w = warningsOf(
      rawWith((r) => (r.central.kmsKey = { decryptPrincipals: ['arn:aws:iam::111111111111:role/SecurityAudit', 'arn:aws:iam::444444444444:root'] })),
    );
    expect(w).toContainEqual({
      path: 'central.kmsKey.decryptPrincipals',
      message: expect.stringMatching(/^arn:aws:iam::111111111111:role\/SecurityAudit must exist before cloudtrail-central is applied: .*MalformedPolicyDocumentException/),
    });
  });

  test('a DynamoDB lock table: deprecated by Terraform in favour of the S3 lock file', () => {
    const w = warningsOf(rawWith((r) => (r.backend = { type: 's3', bucket: 'my-state', region: 'us-east-1', dynamodbTable: 'locks' })));
    expect(w).toContainEqual({ path: 'backend.dynamodbTable', message: expect.stringMatching(/deprecates DynamoDB state locking .*\(use_lockfile\)/) });
    expect(warningsOf(rawWith((r) => (r.backend = { type: 's3', bucket: 'my-state', region: 'us-east-1' })))).toEqual([]);
  });
});

describe('extra statements that admit every trail', () => {
  const wide = { Sid: 'Wide', Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 's3:PutObject', Resource: 'arn:aws:s3:::my-bucket/*' };

  test('an Allow for CloudTrail with no source condition lets any account write into any folder, and is flagged', () => {
    const config = configOf(rawWith((r) => (r.central.bucketPolicy = { extraStatements: [wide] })));
    // What the statement does to the policy AWS receives: a trail of an account outside the fleet writes into 222222222222's folder.
    const policy = fleetBucketPolicy(config).document;
    const stranger = 'arn:aws:cloudtrail:us-east-2:999999999999:trail/x';
    const request = {
      principal: { service: 'cloudtrail.amazonaws.com' },
      action: 's3:PutObject',
      resource: 'arn:aws:s3:::my-bucket/AWSLogs/222222222222/CloudTrail/x.json.gz',
      context: { 'aws:SourceArn': stranger, 'aws:SourceAccount': '999999999999', 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SecureTransport': 'true' },
    };
    expect(isAllowed(policy, request)).toBe(true);
    expect(configWarnings(config)).toContainEqual({
      path: 'central.bucketPolicy.extraStatements[0]',
      message: expect.stringMatching(/^statement Wide allows \{"Service":"cloudtrail.amazonaws.com"\} with no aws:SourceArn, aws:SourceAccount or aws:SourceOrgID condition: a trail of any AWS account could use it.*add such a condition$/),
    });
  });

  test('the same statement scoped by aws:SourceOrgID, a Deny, or another principal is not flagged; a key statement for everyone is', () => {
    const scoped = { ...wide, Sid: 'Scoped', Condition: { StringEquals: { 'aws:SourceOrgID': 'o-exampleorgid' } } };
    const deny = { ...wide, Sid: 'NoDeletes', Effect: 'Deny', Action: 's3:DeleteObject' };
    const reader = { ...wide, Sid: 'Reader', Principal: { AWS: 'arn:aws:iam::111111111111:role/Reader' }, Action: 's3:GetObject' };
    const keyForAll = { Sid: 'Everyone', Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:Decrypt', Resource: '*' };
    const w = warningsOf(
      rawWith((r) => {
        r.central.bucketPolicy = { extraStatements: [scoped, deny, reader] };
        r.central.kmsKey = { extraStatements: [keyForAll] };
      }),
    );
    expect(w.filter((x) => x.path.startsWith('central.bucketPolicy'))).toEqual([]);
    expect(w).toContainEqual({ path: 'central.kmsKey.extraStatements[0]', message: expect.stringMatching(/^statement Everyone allows \{"AWS":"\*"\}/) });
  });
});

describe('where the guard cannot reach (docs/guard.md)', () => {
  const org = (r: any) => (r.organization = { id: 'o-exampleorgid', managementAccountId: '111111111111' });
  const deployer = (r: any) => (r.accounts[0].assumeRoleArn = 'arn:aws:iam::222222222222:role/TerraformDeploy');
  const prevention = (r: any, extra: any = {}) => {
    org(r);
    deployer(r);
    r.guard = { prevention: { attachTo: ['r-ab12'], ...extra } };
  };

  test('a trail key of a member account, without guard.prevention: its admin can make the logs unreadable', () => {
    const w = warningsOf(
      rawWith((r) => {
        org(r);
        r.accounts[0].kmsKey = { create: { alias: 'alias/ct' } };
      }),
    );
    expect(w).toEqual([
      {
        path: 'accounts[0].kmsKey',
        message:
          'trail my-trail encrypts with a key of member account 222222222222: an administrator there can disable it or schedule its deletion, and every log file it encrypted becomes unreadable; without guard.prevention (docs/guard.md) nothing stops them',
      },
    ]);
  });

  test('with guard.prevention a created key is protected; a key the config only names never is', () => {
    const created = warningsOf(rawWith((r) => (prevention(r), (r.accounts[0].kmsKey = { create: { alias: 'alias/ct' } }))));
    expect(created.filter((x) => x.path === 'accounts[0].kmsKey')).toEqual([]);
    const named = warningsOf(rawWith((r) => (prevention(r), (r.accounts[0].kmsKey = { arn: 'arn:aws:kms:us-east-2:222222222222:alias/team-key' }))));
    expect(named).toContainEqual({
      path: 'accounts[0].kmsKey',
      message: expect.stringMatching(/key of member account 222222222222.*the guard never protects a key this config does not create \(its owner manages it\); use kmsKey: \{ create \} or the central key/),
    });
  });

  test("the management account's own keys and the central key there are not a member's: no warning", () => {
    const w = warningsOf(rawWith((r) => (org(r), r.accounts.push({ accountId: '111111111111', kmsKey: { create: { alias: 'alias/mgmt' } } }))));
    expect(w.filter((x) => /member account/.test(x.message))).toEqual([]);
  });

  test('a central key in a member account without guard.prevention', () => {
    const w = warningsOf(rawWith((r) => (r.organization = { id: 'o-exampleorgid', managementAccountId: '333333333333' })));
    expect(w).toEqual([{ path: 'central.kmsKey', message: expect.stringMatching(/^the central key is in member account 111111111111: an administrator there can disable it/) }]);
  });

  test('no organization: the guard only detects', () => {
    expect(warningsOf(rawWith((r) => (r.guard = {})))).toEqual([
      {
        path: 'guard',
        message:
          'the fleet has no organization, so no service control policy is possible: the guard only detects (EventBridge alerts within minutes), it cannot stop an account administrator; add organization (and guard.prevention) if the accounts are in AWS Organizations',
      },
    ]);
  });

  test('an organization but no guard.prevention: detection only, say how to prevent', () => {
    expect(warningsOf(rawWith((r) => (org(r), (r.guard = { detection: true }))))).toEqual([
      { path: 'guard', message: expect.stringMatching(/^guard\.prevention is not set: the guard only detects; add guard\.prevention\.attachTo/) },
    ]);
  });

  test('with guard.prevention: SCPs must be enabled once, and the management account is detection only', () => {
    const w = warningsOf(rawWith((r) => (prevention(r), r.accounts.push({ accountId: '111111111111', trailName: 'org-trail', organizationTrail: true }))));
    expect(w).toContainEqual({
      path: 'accounts[1]',
      message:
        'service control policies do not apply to the management account 111111111111: its trail org-trail (an organization trail too) and its keys, topics and log groups are guarded by detection only; keep its administrators few',
    });
    expect(w).toContainEqual({ path: 'guard.prevention', message: expect.stringMatching(/aws organizations enable-policy-type --root-id <r-\.\.\.> --policy-type SERVICE_CONTROL_POLICY.*PolicyTypeNotEnabledException$/) });
  });

  test('targets that are only accounts: fleet accounts left out are named', () => {
    const w = warningsOf(rawWith((r) => (prevention(r, { attachTo: ['333333333333'] }))));
    expect(w).toContainEqual({ path: 'guard.prevention.attachTo', message: 'no policy is attached above account 222222222222: the guard does not protect it; add it, their OUs or the root' });
    expect(warningsOf(rawWith((r) => prevention(r, { attachTo: ['222222222222'] }))).filter((x) => x.path === 'guard.prevention.attachTo')).toEqual([]);
  });

  test('a stopped trail gives EventBridge nothing to see', () => {
    const w = warningsOf(rawWith((r) => ((r.guard = {}), (r.accounts[0].enableLogging = false))));
    expect(w).toContainEqual({ path: 'accounts[0].enableLogging', message: expect.stringMatching(/^EventBridge receives API calls only from a trail that is logging/) });
  });

  test('a bus policy that admits the organization instead of the account list says so', () => {
    const w = warningsOf(
      rawWith((r) => {
        org(r);
        r.accounts = Array.from({ length: 700 }, (_, i) => ({ accountId: String(100000000000 + i) }));
        r.guard = { detection: true };
      }),
    );
    expect(w).toContainEqual({ path: 'guard.detection', message: expect.stringMatching(/admits every account of organization o-exampleorgid; events from accounts outside the fleet can reach the bus$/) });
  });

  test('the by-name policy explains what it also covers and who may create deployer-named roles', () => {
    const w = warningsOf(
      rawWith((r) => {
        org(r);
        r.accounts = Array.from({ length: 300 }, (_, i) => ({ accountId: String(100000000000 + i), assumeRoleArn: `arn:aws:iam::${100000000000 + i}:role/TerraformDeploy` }));
        r.guard = { prevention: { attachTo: ['r-ab12'] } };
      }),
    );
    expect(w).toContainEqual({ path: 'guard.prevention', message: expect.stringMatching(/^the service control policy names resources and deployer roles by name in any account \(by-name/) });
  });
});

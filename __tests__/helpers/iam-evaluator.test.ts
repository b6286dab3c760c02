/**
 * The test evaluator itself, on small hand-written policies: each semantic
 * it claims, with both outcomes, so the policy tests built on it can be
 * trusted.
 */
import type { PolicyDocument, Statement } from '../../modules/policies/document';
import { evaluate, evaluateServiceControlPolicies, FULL_AWS_ACCESS, IamRequest, isAllowed, principalAccount } from './iam-evaluator';

const CT = 'cloudtrail.amazonaws.com';
const doc = (...statements: Statement[]): PolicyDocument => ({ Version: '2012-10-17', Statement: statements });
const allow = (extra: Partial<Statement> = {}): Statement => ({ Effect: 'Allow', Principal: { Service: CT }, Action: 's3:PutObject', Resource: 'arn:aws:s3:::b/*', ...extra });
const req = (extra: Partial<IamRequest> = {}): IamRequest => ({
  principal: { service: CT },
  action: 's3:PutObject',
  resource: 'arn:aws:s3:::b/AWSLogs/222222222222/x.json.gz',
  context: {},
  ...extra,
});
const ctx = (context: IamRequest['context']) => req({ context });

describe('decision: explicit deny, then allow, else implicit deny', () => {
  test('nothing applies: implicit deny', () => {
    expect(evaluate(doc(), req()).decision).toBe('ImplicitDeny');
    expect(evaluate(doc(allow({ Action: 's3:GetObject' })), req()).decision).toBe('ImplicitDeny');
  });
  test('an applying Allow allows', () => {
    expect(evaluate(doc(allow({ Sid: 'A' })), req())).toEqual({ decision: 'Allow', allowedBy: ['A'], deniedBy: [] });
  });
  test('an applying Deny wins over an Allow, whatever the order', () => {
    const deny: Statement = { ...allow(), Sid: 'D', Effect: 'Deny' };
    expect(evaluate(doc(allow({ Sid: 'A' }), deny), req())).toEqual({ decision: 'ExplicitDeny', allowedBy: ['A'], deniedBy: ['D'] });
    expect(evaluate(doc(deny, allow({ Sid: 'A' })), req()).decision).toBe('ExplicitDeny');
  });
  test('a Deny that does not apply leaves the Allow', () => {
    const deny: Statement = { ...allow(), Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } };
    expect(evaluate(doc(allow(), deny), ctx({ 'aws:SecureTransport': 'true' })).decision).toBe('Allow');
    expect(evaluate(doc(allow(), deny), ctx({ 'aws:SecureTransport': 'false' })).decision).toBe('ExplicitDeny');
  });
  test('statements without a Sid are named by position', () => {
    expect(evaluate(doc(allow({ Action: 'x:Y' }), allow()), req()).allowedBy).toEqual(['#1']);
  });
});

describe('Principal', () => {
  test('"*" matches services and IAM principals', () => {
    const p = doc(allow({ Principal: '*' }));
    expect(isAllowed(p, req())).toBe(true);
    expect(isAllowed(p, req({ principal: { aws: 'arn:aws:iam::333333333333:role/x' } }))).toBe(true);
  });
  test('{ Service }: string or list, exact name', () => {
    expect(isAllowed(doc(allow({ Principal: { Service: CT } })), req())).toBe(true);
    expect(isAllowed(doc(allow({ Principal: { Service: ['sns.amazonaws.com', CT] } })), req())).toBe(true);
    expect(isAllowed(doc(allow({ Principal: { Service: 'sns.amazonaws.com' } })), req())).toBe(false);
    expect(isAllowed(doc(allow({ Principal: { Service: CT } })), req({ principal: { aws: 'arn:aws:iam::222222222222:root' } }))).toBe(false);
  });
  test('{ AWS }: exact ARN, list, "*", and an account root standing for the whole account', () => {
    const role = 'arn:aws:iam::222222222222:role/Reader';
    expect(isAllowed(doc(allow({ Principal: { AWS: role } })), req({ principal: { aws: role } }))).toBe(true);
    expect(isAllowed(doc(allow({ Principal: { AWS: ['arn:aws:iam::1:role/x', role] } })), req({ principal: { aws: role } }))).toBe(true);
    expect(isAllowed(doc(allow({ Principal: { AWS: 'arn:aws:iam::222222222222:role/Other' } })), req({ principal: { aws: role } }))).toBe(false);
    expect(isAllowed(doc(allow({ Principal: { AWS: '*' } })), req({ principal: { aws: role } }))).toBe(true);
    expect(isAllowed(doc(allow({ Principal: { AWS: 'arn:aws:iam::222222222222:root' } })), req({ principal: { aws: role } }))).toBe(true);
    expect(isAllowed(doc(allow({ Principal: { AWS: '222222222222' } })), req({ principal: { aws: role } }))).toBe(true);
    expect(isAllowed(doc(allow({ Principal: { AWS: 'arn:aws:iam::333333333333:root' } })), req({ principal: { aws: role } }))).toBe(false);
    // A service principal is not an IAM principal of an account.
    expect(isAllowed(doc(allow({ Principal: { AWS: 'arn:aws:iam::222222222222:root' } })), req())).toBe(false);
  });
});

describe('Action', () => {
  test('string or list, wildcards * and ?, case-insensitive', () => {
    expect(isAllowed(doc(allow({ Action: ['s3:GetBucketAcl', 's3:PutObject'] })), req())).toBe(true);
    expect(isAllowed(doc(allow({ Action: 's3:*' })), req())).toBe(true);
    expect(isAllowed(doc(allow({ Action: 's3:Put?bject' })), req())).toBe(true);
    expect(isAllowed(doc(allow({ Action: 'S3:PUTOBJECT' })), req())).toBe(true);
    expect(isAllowed(doc(allow({ Action: 'kms:GenerateDataKey*' })), req({ action: 'kms:GenerateDataKeyWithoutPlaintext' }))).toBe(true);
    expect(isAllowed(doc(allow({ Action: 'kms:GenerateDataKey*' })), req({ action: 'kms:Decrypt' }))).toBe(false);
    expect(isAllowed(doc(allow({ Action: 's3:Put?' })), req())).toBe(false);
    expect(isAllowed(doc(allow({ Action: ['s3:GetObject', 's3:DeleteObject'] })), req())).toBe(false);
  });
});

describe('Resource', () => {
  test('string or list, * spans "/", ? is one character, case-sensitive', () => {
    expect(isAllowed(doc(allow({ Resource: ['arn:aws:s3:::other/*', 'arn:aws:s3:::b/*'] })), req())).toBe(true);
    expect(isAllowed(doc(allow({ Resource: 'arn:aws:s3:::b/AWSLogs/22222222222?/*' })), req())).toBe(true);
    expect(isAllowed(doc(allow({ Resource: 'arn:aws:s3:::b/AWSLogs/2222222222?/*' })), req())).toBe(false);
    expect(isAllowed(doc(allow({ Resource: 'arn:aws:s3:::B/*' })), req())).toBe(false);
    expect(isAllowed(doc(allow({ Resource: 'arn:aws:s3:::b' })), req())).toBe(false);
  });
  test('no Resource (a trust policy) matches any resource', () => {
    expect(isAllowed(doc(allow({ Resource: undefined })), req())).toBe(true);
  });
  test('policy variables are filled from the context; a missing one matches nothing', () => {
    const p = doc(allow({ Resource: 'arn:aws:s3:::b/AWSLogs/${aws:SourceAccount}/*' }));
    expect(isAllowed(p, ctx({ 'aws:SourceAccount': '222222222222' }))).toBe(true);
    expect(isAllowed(p, ctx({ 'aws:SourceAccount': '333333333333' }))).toBe(false);
    expect(isAllowed(p, ctx({}))).toBe(false);
    // Only that entry fails: another entry of the list can still match.
    expect(isAllowed(doc(allow({ Resource: ['arn:aws:s3:::b/${aws:Missing}/*', 'arn:aws:s3:::b/*'] })), ctx({}))).toBe(true);
  });
  test('a variable value is literal, never a wildcard', () => {
    const p = doc(allow({ Resource: 'arn:aws:s3:::b/AWSLogs/${aws:SourceAccount}/*' }));
    expect(isAllowed(p, ctx({ 'aws:SourceAccount': '*' }))).toBe(false);
    expect(isAllowed(p, req({ resource: 'arn:aws:s3:::b/AWSLogs/*/x', context: { 'aws:SourceAccount': '*' } }))).toBe(true);
  });
  test('${*}, ${?} and ${$} are the literal characters', () => {
    const p = doc(allow({ Resource: 'arn:aws:s3:::b/a${*}b${?}c${$}' }));
    expect(isAllowed(p, req({ resource: 'arn:aws:s3:::b/a*b?c$' }))).toBe(true);
    expect(isAllowed(p, req({ resource: 'arn:aws:s3:::b/aXbYc$' }))).toBe(false);
  });
});

describe('conditions', () => {
  const withCondition = (Condition: Statement['Condition']) => doc(allow({ Condition }));

  test('StringEquals: exact and case-sensitive; any of several values; missing key is false', () => {
    const p = withCondition({ StringEquals: { 's3:x-amz-acl': ['private', 'bucket-owner-full-control'] } });
    expect(isAllowed(p, ctx({ 's3:x-amz-acl': 'bucket-owner-full-control' }))).toBe(true);
    expect(isAllowed(p, ctx({ 's3:x-amz-acl': 'Bucket-Owner-Full-Control' }))).toBe(false);
    expect(isAllowed(p, ctx({ 's3:x-amz-acl': 'public-read' }))).toBe(false);
    expect(isAllowed(p, ctx({}))).toBe(false);
    // No wildcards in StringEquals.
    expect(isAllowed(withCondition({ StringEquals: { k: 'a*' } }), ctx({ k: 'ab' }))).toBe(false);
    expect(isAllowed(withCondition({ StringEquals: { k: 'a*' } }), ctx({ k: 'a*' }))).toBe(true);
  });
  test('condition keys are case-insensitive', () => {
    expect(isAllowed(withCondition({ StringEquals: { 'aws:sourceaccount': '222222222222' } }), ctx({ 'aws:SourceAccount': '222222222222' }))).toBe(true);
  });
  test('StringNotEquals: true when no value equals; a missing key is true', () => {
    const p = withCondition({ StringNotEquals: { 's3:x-amz-acl': ['a', 'b'] } });
    expect(isAllowed(p, ctx({ 's3:x-amz-acl': 'c' }))).toBe(true);
    expect(isAllowed(p, ctx({ 's3:x-amz-acl': 'b' }))).toBe(false);
    expect(isAllowed(p, ctx({}))).toBe(true);
  });
  test('StringLike: wildcards; any value; missing key is false', () => {
    const p = withCondition({ StringLike: { 'aws:SourceArn': ['arn:aws:cloudtrail:*:111111111111:trail/*', 'arn:aws:cloudtrail:*:222222222222:trail/t?'] } });
    expect(isAllowed(p, ctx({ 'aws:SourceArn': 'arn:aws:cloudtrail:us-east-2:222222222222:trail/t1' }))).toBe(true);
    expect(isAllowed(p, ctx({ 'aws:SourceArn': 'arn:aws:cloudtrail:us-east-2:222222222222:trail/t12' }))).toBe(false);
    expect(isAllowed(p, ctx({ 'aws:SourceArn': 'arn:aws:cloudtrail:eu-west-1:111111111111:trail/anything' }))).toBe(true);
    expect(isAllowed(p, ctx({}))).toBe(false);
  });
  test('StringNotLike: true when no pattern matches; a missing key is true', () => {
    const p = withCondition({ StringNotLike: { k: ['a*', 'b?'] } });
    expect(isAllowed(p, ctx({ k: 'xyz' }))).toBe(true);
    expect(isAllowed(p, ctx({ k: 'abc' }))).toBe(false);
    expect(isAllowed(p, ctx({ k: 'bc' }))).toBe(false);
    expect(isAllowed(p, ctx({}))).toBe(true);
  });
  test('policy variables in condition values; a missing variable makes that value match nothing', () => {
    const like = withCondition({ StringLike: { ctx: ['arn:aws:cloudtrail:*:${aws:SourceAccount}:trail/*'] } });
    const trail = 'arn:aws:cloudtrail:us-east-2:222222222222:trail/t';
    expect(isAllowed(like, ctx({ ctx: trail, 'aws:SourceAccount': '222222222222' }))).toBe(true);
    expect(isAllowed(like, ctx({ ctx: trail, 'aws:SourceAccount': '333333333333' }))).toBe(false);
    expect(isAllowed(like, ctx({ ctx: trail }))).toBe(false);
    // Negated: a value whose variable is missing matches nothing, so "not like" holds.
    const notLike = withCondition({ StringNotLike: { ctx: 'arn:aws:cloudtrail:*:${aws:SourceAccount}:trail/*' } });
    expect(isAllowed(notLike, ctx({ ctx: trail }))).toBe(true);
    expect(isAllowed(notLike, ctx({ ctx: trail, 'aws:SourceAccount': '222222222222' }))).toBe(false);
    expect(isAllowed(withCondition({ StringEquals: { k: '${aws:SourceAccount}' } }), ctx({ k: '222222222222', 'aws:SourceAccount': '222222222222' }))).toBe(true);
  });
  test('ArnEquals / ArnLike: per ARN part, with wildcards; not an ARN is false; missing key is false', () => {
    for (const op of ['ArnEquals', 'ArnLike']) {
      const p = withCondition({ [op]: { 'aws:SourceArn': 'arn:aws:sns:*:222222222222:topic-?' } });
      expect(isAllowed(p, ctx({ 'aws:SourceArn': 'arn:aws:sns:us-east-2:222222222222:topic-a' }))).toBe(true);
      expect(isAllowed(p, ctx({ 'aws:SourceArn': 'arn:aws:sns:us-east-2:333333333333:topic-a' }))).toBe(false);
      // "*" in the region part does not swallow the account part.
      expect(isAllowed(p, ctx({ 'aws:SourceArn': 'arn:aws:sns:us-east-2:x:222222222222:topic-a' }))).toBe(false);
      expect(isAllowed(p, ctx({ 'aws:SourceArn': 'not-an-arn' }))).toBe(false);
      expect(isAllowed(p, ctx({}))).toBe(false);
    }
    // The resource part keeps its colons.
    const logs = withCondition({ ArnEquals: { k: 'arn:aws:logs:us-east-2:222222222222:log-group:g:*' } });
    expect(isAllowed(logs, ctx({ k: 'arn:aws:logs:us-east-2:222222222222:log-group:g:*' }))).toBe(true);
  });
  test('Bool: case-insensitive true/false, boolean JSON values too; missing key is false', () => {
    const p = withCondition({ Bool: { 'aws:SecureTransport': 'true' } });
    expect(isAllowed(p, ctx({ 'aws:SecureTransport': 'true' }))).toBe(true);
    expect(isAllowed(p, ctx({ 'aws:SecureTransport': 'TRUE' }))).toBe(true);
    expect(isAllowed(p, ctx({ 'aws:SecureTransport': 'false' }))).toBe(false);
    expect(isAllowed(p, ctx({}))).toBe(false);
    const json = withCondition({ Bool: { 'aws:SecureTransport': false } } as unknown as Statement['Condition']);
    expect(isAllowed(json, ctx({ 'aws:SecureTransport': 'false' }))).toBe(true);
  });
  test('Null: "true" requires the key to be absent, "false" present', () => {
    expect(isAllowed(withCondition({ Null: { k: 'false' } }), ctx({ k: 'v' }))).toBe(true);
    expect(isAllowed(withCondition({ Null: { k: 'false' } }), ctx({}))).toBe(false);
    expect(isAllowed(withCondition({ Null: { k: 'true' } }), ctx({}))).toBe(true);
    expect(isAllowed(withCondition({ Null: { k: 'true' } }), ctx({ k: 'v' }))).toBe(false);
  });
  test('every key of an operator must hold (AND)', () => {
    const p = withCondition({ StringEquals: { a: '1', b: '2' } });
    expect(isAllowed(p, ctx({ a: '1', b: '2' }))).toBe(true);
    expect(isAllowed(p, ctx({ a: '1', b: '3' }))).toBe(false);
    expect(isAllowed(p, ctx({ a: '1' }))).toBe(false);
  });
  test('every operator of a block must hold (AND)', () => {
    const p = withCondition({ StringEquals: { a: '1' }, StringLike: { b: 'x*' }, Bool: { c: 'true' } });
    expect(isAllowed(p, ctx({ a: '1', b: 'xy', c: 'true' }))).toBe(true);
    expect(isAllowed(p, ctx({ a: '1', b: 'yy', c: 'true' }))).toBe(false);
    expect(isAllowed(p, ctx({ a: '1', b: 'xy', c: 'false' }))).toBe(false);
  });
  test('a Deny with negated operators applies when all of them hold (missing keys count as holding)', () => {
    const deny: Statement = { ...allow(), Effect: 'Deny', Condition: { StringNotLike: { a: 'x*' }, StringNotEquals: { b: 'via' } } };
    expect(evaluate(doc(allow(), deny), ctx({})).decision).toBe('ExplicitDeny');
    expect(evaluate(doc(allow(), deny), ctx({ a: 'xx' })).decision).toBe('Allow');
    expect(evaluate(doc(allow(), deny), ctx({ b: 'via' })).decision).toBe('Allow');
  });
  test('an operator it does not model fails loudly', () => {
    expect(() => isAllowed(withCondition({ NumericLessThan: { n: '3' } }), ctx({ n: '1' }))).toThrow(/NumericLessThan is not supported/);
  });
});

describe('ARN negation and multivalued keys (what the guard\'s policies use)', () => {
  const withCondition = (condition: Statement['Condition']) => doc(allow({ Condition: condition }));
  test('ArnNotLike / ArnNotEquals: hold when no value matches, and when the key is missing', () => {
    const p = withCondition({ ArnNotLike: { 'aws:PrincipalArn': ['arn:aws:iam::*:role/Deploy', 'arn:aws:iam::222222222222:role/ops/*'] } });
    expect(isAllowed(p, ctx({ 'aws:PrincipalArn': 'arn:aws:iam::333333333333:role/Admin' }))).toBe(true);
    expect(isAllowed(p, ctx({ 'aws:PrincipalArn': 'arn:aws:iam::333333333333:role/Deploy' }))).toBe(false);
    expect(isAllowed(p, ctx({ 'aws:PrincipalArn': 'arn:aws:iam::222222222222:role/ops/x' }))).toBe(false);
    expect(isAllowed(p, ctx({ 'aws:PrincipalArn': 'arn:aws:iam::333333333333:role/ops/x' }))).toBe(true);
    expect(isAllowed(p, ctx({}))).toBe(true);
    const exact = withCondition({ ArnNotEquals: { 'aws:SourceArn': 'arn:aws:sns:us-east-2:222222222222:t' } });
    expect(isAllowed(exact, ctx({ 'aws:SourceArn': 'arn:aws:sns:us-east-2:222222222222:t' }))).toBe(false);
    expect(isAllowed(exact, ctx({ 'aws:SourceArn': 'arn:aws:sns:us-east-2:222222222222:u' }))).toBe(true);
  });
  test('ForAnyValue: at least one request value satisfies the operator; an absent key does not', () => {
    const p = withCondition({ 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': ['alias/ct-a', 'alias/ct-b'] } });
    expect(isAllowed(p, ctx({ 'kms:ResourceAliases': ['alias/other', 'alias/ct-b'] }))).toBe(true);
    expect(isAllowed(p, ctx({ 'kms:ResourceAliases': ['alias/other'] }))).toBe(false);
    expect(isAllowed(p, ctx({ 'kms:ResourceAliases': [] }))).toBe(false);
    expect(isAllowed(p, ctx({}))).toBe(false);
    expect(isAllowed(p, ctx({ 'kms:ResourceAliases': 'alias/ct-a' }))).toBe(true);
  });
  test('ForAllValues: every request value satisfies the operator; an absent or empty key does', () => {
    const p = withCondition({ 'ForAllValues:StringLike': { 'aws:TagKeys': ['team', 'cost*'] } });
    expect(isAllowed(p, ctx({ 'aws:TagKeys': ['team', 'costcenter'] }))).toBe(true);
    expect(isAllowed(p, ctx({ 'aws:TagKeys': ['team', 'owner'] }))).toBe(false);
    expect(isAllowed(p, ctx({ 'aws:TagKeys': [] }))).toBe(true);
    expect(isAllowed(p, ctx({}))).toBe(true);
  });
  test('a multivalued key under a single-valued operator, or an unmodelled set operator, fails loudly', () => {
    expect(() => isAllowed(withCondition({ StringEquals: { 'kms:ResourceAliases': 'alias/x' } }), ctx({ 'kms:ResourceAliases': ['alias/x'] }))).toThrow(/multivalued/);
    expect(() => isAllowed(withCondition({ 'ForAnyValue:Null': { k: 'true' } }), ctx({}))).toThrow(/not supported/);
  });
});

describe('service control policies', () => {
  const ADMIN = 'arn:aws:iam::222222222222:role/Admin';
  const DEPLOY = 'arn:aws:iam::222222222222:role/Deploy';
  const TRAIL = 'arn:aws:cloudtrail:us-east-2:222222222222:trail/t';
  const guard: PolicyDocument = doc({
    Sid: 'G',
    Effect: 'Deny',
    Action: 'cloudtrail:StopLogging',
    Resource: TRAIL,
    Condition: { ArnNotLike: { 'aws:PrincipalArn': DEPLOY } },
  });
  const setting = { managementAccountId: '111111111111' };
  const call = (aws: string | undefined, action = 'cloudtrail:StopLogging', resource = TRAIL): IamRequest => ({
    principal: aws === undefined ? { service: CT } : { aws },
    action,
    resource,
    context: {},
  });
  test('a Deny applies to every principal of a member account (no Principal element), aws:PrincipalArn filled from the caller', () => {
    expect(evaluateServiceControlPolicies([guard], call(ADMIN), setting)).toEqual({ decision: 'ExplicitDeny', allowedBy: ['0:FullAWSAccess'], deniedBy: ['1:G'] });
    expect(evaluateServiceControlPolicies([guard], call('arn:aws:iam::222222222222:root'), setting).decision).toBe('ExplicitDeny');
    expect(evaluateServiceControlPolicies([guard], call(DEPLOY), setting).decision).toBe('Allow');
  });
  test('FullAWSAccess (assumed attached) allows what no Deny matches; without it a missing Allow is an implicit deny', () => {
    expect(evaluateServiceControlPolicies([guard], call(ADMIN, 'cloudtrail:CreateTrail'), setting).decision).toBe('Allow');
    expect(evaluateServiceControlPolicies([guard], call(ADMIN, 'cloudtrail:CreateTrail'), { ...setting, fullAwsAccess: false }).decision).toBe('ImplicitDeny');
    expect(evaluateServiceControlPolicies([guard, FULL_AWS_ACCESS], call(ADMIN, 'cloudtrail:CreateTrail'), { ...setting, fullAwsAccess: false }).decision).toBe('Allow');
  });
  test('the management account, service principals and service-linked roles are not limited', () => {
    expect(evaluateServiceControlPolicies([guard], call('arn:aws:iam::111111111111:role/Admin'), setting).decision).toBe('Allow');
    expect(evaluateServiceControlPolicies([guard], call(undefined), setting).decision).toBe('Allow');
    expect(evaluateServiceControlPolicies([guard], call('arn:aws:iam::222222222222:role/aws-service-role/x.amazonaws.com/AWSServiceRole'), setting).decision).toBe('Allow');
  });
  test('an SCP statement with a Principal is refused (SCPs have none)', () => {
    expect(() => evaluateServiceControlPolicies([doc(allow())], call(ADMIN), setting)).toThrow(/has a Principal/);
  });
  test('principalAccount reads IAM and STS ARNs', () => {
    expect(principalAccount('arn:aws:sts::222222222222:assumed-role/Admin/s')).toBe('222222222222');
    expect(principalAccount('arn:aws-cn:iam::333333333333:user/u')).toBe('333333333333');
    expect(principalAccount('x')).toBeUndefined();
  });
});

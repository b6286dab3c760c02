import { escapeLiteralText, escapeTemplateText, templateTextIn, templateTextProblems, unescapeTemplateText } from '../../modules/terraform-text';

describe('escaping literal text for Terraform', () => {
  test.each([
    ['${aws:SourceAccount}', '$${aws:SourceAccount}'],
    ['home/${aws:username}/', 'home/$${aws:username}/'],
    ['a%{if false}b%{endif}c/', 'a%%{if false}b%%{endif}c/'],
    ['$${already}', '$$${already}'],
    ['100% {not a directive}', '100% {not a directive}'],
    ['$ {x}', '$ {x}'],
    ['plain', 'plain'],
  ])('%j is written as %j and Terraform reads it back unchanged', (text, escaped) => {
    expect(escapeTemplateText(text)).toBe(escaped);
    expect(unescapeTemplateText(escaped)).toBe(text);
    expect(templateTextIn(escaped)).toEqual([]);
  });

  test('cdktf token markers are left for cdktf; the literal text around them is escaped', () => {
    const marker = '${TfToken[TOKEN.12]}';
    expect(escapeLiteralText(`${marker}:*`)).toBe(`${marker}:*`);
    expect(escapeLiteralText(`\${x}-${marker}-%{y}`)).toBe(`$\${x}-${marker}-%%{y}`);
  });

  test('keys and nested values are escaped; token objects and non-strings are untouched', () => {
    const token = { resolve: () => 'x' };
    const out = escapeLiteralText({ tags: { '${k}': '${v}' }, list: ['%{a}', 3, true, null], token });
    expect(out).toEqual({ tags: { '$${k}': '$${v}' }, list: ['%%{a}', 3, true, null], token });
    expect(out.token).toBe(token);
  });
});

describe('the template-text invariant', () => {
  test.each(['${aws_s3_bucket.log_bucket.id}', '${data.aws_kms_key.key_1.arn}', 'x-${aws_cloudwatch_log_group.trail_a_log_group.arn}:*', '${var.list[0]}'])(
    'a cdktf reference %j is allowed',
    (text) => expect(templateTextIn(text)).toEqual([]),
  );

  test.each([
    ['${aws:SourceAccount}', '${aws:SourceAccount}'],
    ['a%{if false}b', '%{if false}b'],
    ['$$${x}', undefined],
    ['${upper("x")}', '${upper("x")}'],
  ])('unescaped template text %j is reported', (text, found) => {
    if (found === undefined) expect(templateTextIn(text)).toEqual([]);
    else expect(templateTextIn(text)).toEqual([found]);
  });

  test('problems name the JSON path, including object keys, and skip the // metadata', () => {
    const problems = templateTextProblems({
      '//': { metadata: { note: '${ignored}' } },
      resource: { aws_s3_bucket_policy: { p: { policy: '{"Resource":"arn:aws:s3:::b/${aws:SourceAccount}/*"}' } } },
      provider: { aws: [{ default_tags: [{ tags: { '%{k}': 'v' } }] }] },
    });
    expect(problems).toEqual([
      { path: 'resource.aws_s3_bucket_policy.p.policy', text: '${aws:SourceAccount}/*"}' },
      { path: 'provider.aws[0].default_tags[0].tags{key}', text: '%{k}' },
    ]);
  });

  test("a resource condition is an expression: only the trail's home-region comparison passes, and only in a condition", () => {
    const condition = '${(self.home_region == "eu-west-1")}';
    const trail = (lifecycle: unknown, name: unknown = 't') => ({ resource: { aws_cloudtrail: { t: { name, lifecycle } } } });
    expect(templateTextProblems(trail({ postcondition: [{ condition, error_message: 'm' }] }))).toEqual([]);
    // The same text anywhere else is template text.
    expect(templateTextProblems(trail({ postcondition: [{ condition: 'x', error_message: condition }] }))).toHaveLength(1);
    expect(templateTextProblems(trail({}, condition))).toHaveLength(1);
    // Any other expression in a condition is reported.
    expect(templateTextProblems(trail({ postcondition: [{ condition: '${(self.name == "${x}")}', error_message: 'm' }] }))).toHaveLength(1);
    expect(templateTextProblems(trail({ postcondition: [{ condition: '${file("/etc/passwd") == ""}', error_message: 'm' }] }))).toHaveLength(1);
  });
});

/**
 * The IAM evaluator the tests use to check what a policy *does*. It lives in
 * modules/policies/iam-evaluator.ts since the change gate (cli/lib/change-plan.ts)
 * asks the same question of the central policies: does this trail still get in?
 * Its own tests stay in __tests__/helpers/iam-evaluator.test.ts.
 */
export * from '../../modules/policies/iam-evaluator';

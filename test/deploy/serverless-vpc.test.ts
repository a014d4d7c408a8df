/**
 * scripts/serverless-vpc.js, the `provider.vpc` of serverless.yml: null (no VPC, no ENI policy) without the params,
 * both lists with them, and an error when only one is given.
 */
const { vpc } = require('../../scripts/serverless-vpc.js') as {
  vpc(args: { resolveVariable(name: string): Promise<unknown> }): Promise<unknown>;
};

const withParams = (params: Record<string, string>) => ({
  resolveVariable: async (name: string) => params[name.replace(/^param:/, '')] ?? '',
});

test('no params: null (the functions outside any VPC)', async () => {
  expect(await vpc(withParams({}))).toBeNull();
  expect(await vpc(withParams({ vpcSubnetIds: ' , ', vpcSecurityGroupIds: '' }))).toBeNull();
});

test('both params: the lists, trimmed', async () => {
  expect(await vpc(withParams({ vpcSubnetIds: 'subnet-a, subnet-b', vpcSecurityGroupIds: 'sg-1' }))).toEqual({
    subnetIds: ['subnet-a', 'subnet-b'],
    securityGroupIds: ['sg-1'],
  });
});

test('one without the other: an error naming both', async () => {
  await expect(vpc(withParams({ vpcSubnetIds: 'subnet-a' }))).rejects.toThrow(/vpcSubnetIds and vpcSecurityGroupIds/);
  await expect(vpc(withParams({ vpcSecurityGroupIds: 'sg-1' }))).rejects.toThrow(/give both, or neither/);
});

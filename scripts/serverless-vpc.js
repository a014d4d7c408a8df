// The functions' VPC (serverless.yml `provider.vpc`), from the params vpcSubnetIds and vpcSecurityGroupIds
// (comma-separated): needed when the index lives in ElastiCache (redisUrlParam). Both empty: null, no VPC, and no
// ENI-management policy on the role. One without the other is an error.
module.exports.vpc = async ({ resolveVariable }) => {
  const list = (s) =>
    String(s ?? '')
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x !== '');
  const subnetIds = list(await resolveVariable('param:vpcSubnetIds'));
  const securityGroupIds = list(await resolveVariable('param:vpcSecurityGroupIds'));
  if (subnetIds.length === 0 && securityGroupIds.length === 0) return null;
  if (subnetIds.length === 0 || securityGroupIds.length === 0)
    throw new Error('vpcSubnetIds and vpcSecurityGroupIds go together: give both, or neither');
  return { subnetIds, securityGroupIds };
};

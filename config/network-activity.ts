/**
 * Network activity events (CloudTrail, since 2025): API calls made through
 * VPC endpoints, logged with advanced event selectors. What AWS documents,
 * and what this project can express with the pinned provider:
 *
 * - CloudTrail User Guide, "Logging network activity events"
 *   (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-network-events-with-cloudtrail.html):
 *   `eventCategory` must be `NetworkActivity` and uses only `Equals`;
 *   `eventSource` is required, uses only `Equals`, and "if you want to log
 *   network activity events for multiple event sources, you must create a
 *   separate field selector for each event source" (one selector per source:
 *   two `eventSource` conditions in one selector would both have to hold);
 *   `eventName`, `errorCode` (only value `VpceAccessDenied`) and
 *   `vpcEndpointId` are optional. "Additional charges apply for network
 *   activity events" (AWS CloudTrail pricing: like data events).
 * - API reference, AdvancedEventSelector / AdvancedFieldSelector
 *   (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_AdvancedFieldSelector.html):
 *   "For CloudTrail network activity events, supported fields include
 *   eventCategory (required), eventSource (required), eventName, errorCode,
 *   and vpcEndpointId"; `readOnly` is "only used for management events and
 *   data events".
 * - The pinned provider, hashicorp/aws 5.100.0, validates
 *   `advanced_event_selector.field_selector.field` against a fixed list
 *   (eventCategory, eventName, eventSource, readOnly, resources.ARN,
 *   resources.type, userIdentity.arn; `terraform validate` rejects any other
 *   with "expected field to be one of"). `errorCode` and `vpcEndpointId` were
 *   added in provider 6.2.0 (CHANGELOG 6.2.0, July 2, 2025:
 *   "resource/aws_cloudtrail: Support errorCode, eventType,
 *   sessionCredentialFromConsole, and vpcEndpointId as valid values for
 *   advanced_event_selector.field_selector.field", hashicorp/terraform-provider-aws#43091),
 *   so filters on them are rejected here with a message that says so.
 *
 * The event sources: the services the user guide lists for network activity
 * events (its current list, read 2026-12; at preview it was CloudTrail, EC2,
 * KMS and Secrets Manager, at general availability in February 2025 S3 was
 * added), each as the `eventSource` value CloudTrail records for that
 * service. Services of the guide's list whose event source name could not be
 * confirmed from AWS's documentation here are left out (Billing and Cost
 * Management, AWS Pricing Calculator, AWS Data Exports, AWS Free Tier, AWS
 * Invoicing, AWS IoT Secure Tunneling, AWS Transform, CloudWatch Application
 * Signals): a raw `dataEvents.advanced` selector can still log them
 * (docs/config-reference.md, "Network activity events").
 */
import { closest } from './rules';
import type { Problem } from './rules';

/** Event source -> the service's name in the user guide's list. */
export const NETWORK_ACTIVITY_SERVICES: Readonly<Record<string, string>> = {
  'appconfig.amazonaws.com': 'AWS AppConfig',
  'appmesh.amazonaws.com': 'AWS App Mesh',
  'athena.amazonaws.com': 'Amazon Athena',
  'b2bi.amazonaws.com': 'AWS B2B Data Interchange',
  'backup-gateway.amazonaws.com': 'AWS Backup gateway',
  'bedrock.amazonaws.com': 'Amazon Bedrock',
  'ce.amazonaws.com': 'AWS Cost Explorer',
  'cloudcontrolapi.amazonaws.com': 'AWS Cloud Control API',
  'cloudhsm.amazonaws.com': 'AWS CloudHSM',
  'servicediscovery.amazonaws.com': 'AWS Cloud Map',
  'cloudformation.amazonaws.com': 'AWS CloudFormation',
  'cloudtrail.amazonaws.com': 'AWS CloudTrail',
  'monitoring.amazonaws.com': 'Amazon CloudWatch',
  'codedeploy.amazonaws.com': 'AWS CodeDeploy',
  'comprehendmedical.amazonaws.com': 'Amazon Comprehend Medical',
  'config.amazonaws.com': 'AWS Config',
  'firehose.amazonaws.com': 'Amazon Data Firehose',
  'ds.amazonaws.com': 'AWS Directory Service',
  'dynamodb.amazonaws.com': 'Amazon DynamoDB',
  'ec2.amazonaws.com': 'Amazon EC2',
  'ecs.amazonaws.com': 'Amazon Elastic Container Service',
  'elasticfilesystem.amazonaws.com': 'Amazon Elastic File System',
  'elasticloadbalancing.amazonaws.com': 'Elastic Load Balancing',
  'events.amazonaws.com': 'Amazon EventBridge',
  'scheduler.amazonaws.com': 'Amazon EventBridge Scheduler',
  'frauddetector.amazonaws.com': 'Amazon Fraud Detector',
  'fsx.amazonaws.com': 'Amazon FSx',
  'glue.amazonaws.com': 'AWS Glue',
  'healthlake.amazonaws.com': 'AWS HealthLake',
  'iotfleetwise.amazonaws.com': 'AWS IoT FleetWise',
  'cassandra.amazonaws.com': 'Amazon Keyspaces (for Apache Cassandra)',
  'kms.amazonaws.com': 'AWS KMS',
  'lakeformation.amazonaws.com': 'AWS Lake Formation',
  'lambda.amazonaws.com': 'AWS Lambda',
  'license-manager.amazonaws.com': 'AWS License Manager',
  'lookoutequipment.amazonaws.com': 'Amazon Lookout for Equipment',
  'lookoutvision.amazonaws.com': 'Amazon Lookout for Vision',
  'personalize.amazonaws.com': 'Amazon Personalize',
  'qbusiness.amazonaws.com': 'Amazon Q Business',
  'rekognition.amazonaws.com': 'Amazon Rekognition',
  'rds.amazonaws.com': 'Amazon Relational Database Service',
  's3.amazonaws.com': 'Amazon S3 (not Multi-Region Access Points)',
  'sagemaker.amazonaws.com': 'Amazon SageMaker AI',
  'secretsmanager.amazonaws.com': 'AWS Secrets Manager',
  'sns.amazonaws.com': 'Amazon Simple Notification Service',
  'sqs.amazonaws.com': 'Amazon Simple Queue Service',
  'swf.amazonaws.com': 'Amazon Simple Workflow Service',
  'storagegateway.amazonaws.com': 'AWS Storage Gateway',
  'ssm-incidents.amazonaws.com': 'AWS Systems Manager Incident Manager',
  'textract.amazonaws.com': 'Amazon Textract',
  'transcribe.amazonaws.com': 'Amazon Transcribe',
  'translate.amazonaws.com': 'Amazon Translate',
  'verifiedpermissions.amazonaws.com': 'Amazon Verified Permissions',
  'workmail.amazonaws.com': 'Amazon WorkMail',
};

/** The event sources this project accepts for network activity events, sorted. */
export const NETWORK_ACTIVITY_EVENT_SOURCES: readonly string[] = Object.keys(NETWORK_ACTIVITY_SERVICES).sort();

/** The pinned provider (cdktf's @cdktf/provider-aws 20.1.0). */
export const PINNED_AWS_PROVIDER = '5.100.0';
/** The first aws provider release that accepts errorCode and vpcEndpointId as selector fields. */
export const AWS_PROVIDER_WITH_NETWORK_FILTERS = '6.2.0';

/** Advanced selector fields CloudTrail documents that the pinned provider rejects, with the provider version that accepts them. */
export const FIELDS_NEEDING_NEWER_PROVIDER: Readonly<Record<string, string>> = {
  errorCode: AWS_PROVIDER_WITH_NETWORK_FILTERS,
  vpcEndpointId: AWS_PROVIDER_WITH_NETWORK_FILTERS,
  eventType: AWS_PROVIDER_WITH_NETWORK_FILTERS,
  sessionCredentialFromConsole: AWS_PROVIDER_WITH_NETWORK_FILTERS,
};

/** Why a field the provider cannot express is refused, and what to do instead. */
export function needsNewerProvider(field: string, what: string, instead: string): string {
  return (
    `${what} needs the advanced selector field ${field}, which the aws provider accepts from version ${FIELDS_NEEDING_NEWER_PROVIDER[field]} on ` +
    `(hashicorp/terraform-provider-aws#43091); this project pins hashicorp/aws ${PINNED_AWS_PROVIDER}, whose terraform validate rejects the field: ${instead}`
  );
}

/** The config keys that ask for a filter the pinned provider cannot express, and the message for each. */
export const REJECTED_NETWORK_FILTERS: Readonly<Record<string, string>> = {
  vpceAccessDeniedOnly: needsNewerProvider(
    'errorCode',
    'logging only calls a VPC endpoint policy denied (errorCode VpceAccessDenied)',
    'drop vpceAccessDeniedOnly to log every network activity event of the source, and select errorCode = "VpceAccessDenied" when you read the logs',
  ),
  errorCode: needsNewerProvider(
    'errorCode',
    'filtering network activity events on errorCode (VpceAccessDenied)',
    'drop errorCode to log every network activity event of the source, and select errorCode = "VpceAccessDenied" when you read the logs',
  ),
  vpcEndpointIds: needsNewerProvider(
    'vpcEndpointId',
    'filtering network activity events by VPC endpoint',
    'drop vpcEndpointIds to log the network activity events of every VPC endpoint of the source, and select vpcEndpointId when you read the logs',
  ),
  vpcEndpointId: needsNewerProvider(
    'vpcEndpointId',
    'filtering network activity events by VPC endpoint',
    'drop vpcEndpointId to log the network activity events of every VPC endpoint of the source, and select vpcEndpointId when you read the logs',
  ),
};

/** An event source for network activity events: one of the list, with a suggestion for a short name or a typo. */
export function networkEventSourceProblem(value: string): Problem {
  if (NETWORK_ACTIVITY_SERVICES[value] !== undefined) return undefined;
  // Compared by the service part: every source ends in .amazonaws.com, which would make any two look alike.
  const service = value.toLowerCase().trim().replace(/\.amazonaws\.com$/, '');
  const services = NETWORK_ACTIVITY_EVENT_SOURCES.map((s) => s.replace(/\.amazonaws\.com$/, ''));
  const match = services.includes(service) ? service : closest(service, services);
  const guess = match && `${match}.amazonaws.com`;
  const hint = guess ? ` (did you mean "${guess}"?)` : `; they are ${NETWORK_ACTIVITY_EVENT_SOURCES.join(', ')}`;
  return `"${value}" is not an event source CloudTrail logs network activity events for${hint}; write the service's event source in full, e.g. kms.amazonaws.com`;
}

/**
 * An API operation name for the `eventName` filter: letters and digits as
 * AWS names its operations (no wildcards: "Selectors don't support the use of
 * wildcards like *").
 */
export function eventNameProblem(value: string): Problem {
  if (value.length < 1 || value.length > 2048) return `event names are 1 to 2048 characters; this one has ${value.length}`;
  const bad = value.match(/[^A-Za-z0-9]/);
  if (bad) {
    return `"${value}" is not an API operation name (letters and digits, e.g. GetSecretValue): it contains ${JSON.stringify(bad[0])}${bad[0] === '*' ? ', and selectors take no wildcards' : ''}`;
  }
  return undefined;
}

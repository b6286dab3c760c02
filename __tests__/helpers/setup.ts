import '../../stacks/node-warnings';
import { Testing } from 'cdktf';

// The cdktf Jest matchers (toHaveResourceWithProperties, ...); they match snake_case Terraform keys.
Testing.setupJest();

// The AWS SDK's "Node 22 needed from 2027" warning is noise in test output (the project documents its Node versions).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

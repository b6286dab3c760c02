import { Testing } from 'cdktf';

// The cdktf Jest matchers (toHaveResourceWithProperties, ...); they match snake_case Terraform keys.
Testing.setupJest();

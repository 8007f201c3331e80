// Package sdk helps write a check plugin: an aws.Config (and an S3 client)
// from a RunRequest that uses exactly the run's credentials, region and
// endpoint and nothing from the plugin's environment, a strict decoder for
// the check's config, a logger whose lines the host forwards, and
// constructors for findings.
//
// A plugin's Run typically starts:
//
//	var conf myConfig
//	if err := sdk.Config(req, &conf); err != nil {
//		return nil, err
//	}
//	cfg, err := sdk.AWSConfig(ctx, req, req.HomeRegion)
//	if err != nil {
//		return nil, err
//	}
//	users, err := iam.NewFromConfig(cfg).ListUsers(ctx, &iam.ListUsersInput{})
//
// sdk imports plugins, the AWS SDK and hclog; like plugins it never imports
// anything under internal/.
package sdk

package aws

import (
	"context"
	"errors"
	"fmt"
	"github.com/aws/smithy-go/logging"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

// API is the part of the Image Builder client the backend calls, declared
// in the SDK's own method shapes so that *imagebuilder.Client satisfies it
// and tests still go through real serialization against an HTTP fake.
type API interface {
	CreateComponent(context.Context, *imagebuilder.CreateComponentInput, ...func(*imagebuilder.Options)) (*imagebuilder.CreateComponentOutput, error)
	GetComponent(context.Context, *imagebuilder.GetComponentInput, ...func(*imagebuilder.Options)) (*imagebuilder.GetComponentOutput, error)
	ListComponentBuildVersions(context.Context, *imagebuilder.ListComponentBuildVersionsInput, ...func(*imagebuilder.Options)) (*imagebuilder.ListComponentBuildVersionsOutput, error)
	GetInfrastructureConfiguration(context.Context, *imagebuilder.GetInfrastructureConfigurationInput, ...func(*imagebuilder.Options)) (*imagebuilder.GetInfrastructureConfigurationOutput, error)
	GetDistributionConfiguration(context.Context, *imagebuilder.GetDistributionConfigurationInput, ...func(*imagebuilder.Options)) (*imagebuilder.GetDistributionConfigurationOutput, error)
	GetImagePipeline(context.Context, *imagebuilder.GetImagePipelineInput, ...func(*imagebuilder.Options)) (*imagebuilder.GetImagePipelineOutput, error)
	CreateImageRecipe(context.Context, *imagebuilder.CreateImageRecipeInput, ...func(*imagebuilder.Options)) (*imagebuilder.CreateImageRecipeOutput, error)
	GetImageRecipe(context.Context, *imagebuilder.GetImageRecipeInput, ...func(*imagebuilder.Options)) (*imagebuilder.GetImageRecipeOutput, error)
	CreateContainerRecipe(context.Context, *imagebuilder.CreateContainerRecipeInput, ...func(*imagebuilder.Options)) (*imagebuilder.CreateContainerRecipeOutput, error)
	GetContainerRecipe(context.Context, *imagebuilder.GetContainerRecipeInput, ...func(*imagebuilder.Options)) (*imagebuilder.GetContainerRecipeOutput, error)
	CreateInfrastructureConfiguration(context.Context, *imagebuilder.CreateInfrastructureConfigurationInput, ...func(*imagebuilder.Options)) (*imagebuilder.CreateInfrastructureConfigurationOutput, error)
	UpdateInfrastructureConfiguration(context.Context, *imagebuilder.UpdateInfrastructureConfigurationInput, ...func(*imagebuilder.Options)) (*imagebuilder.UpdateInfrastructureConfigurationOutput, error)
	ListInfrastructureConfigurations(context.Context, *imagebuilder.ListInfrastructureConfigurationsInput, ...func(*imagebuilder.Options)) (*imagebuilder.ListInfrastructureConfigurationsOutput, error)
	CreateDistributionConfiguration(context.Context, *imagebuilder.CreateDistributionConfigurationInput, ...func(*imagebuilder.Options)) (*imagebuilder.CreateDistributionConfigurationOutput, error)
	UpdateDistributionConfiguration(context.Context, *imagebuilder.UpdateDistributionConfigurationInput, ...func(*imagebuilder.Options)) (*imagebuilder.UpdateDistributionConfigurationOutput, error)
	ListDistributionConfigurations(context.Context, *imagebuilder.ListDistributionConfigurationsInput, ...func(*imagebuilder.Options)) (*imagebuilder.ListDistributionConfigurationsOutput, error)
	CreateImagePipeline(context.Context, *imagebuilder.CreateImagePipelineInput, ...func(*imagebuilder.Options)) (*imagebuilder.CreateImagePipelineOutput, error)
	UpdateImagePipeline(context.Context, *imagebuilder.UpdateImagePipelineInput, ...func(*imagebuilder.Options)) (*imagebuilder.UpdateImagePipelineOutput, error)
	ListImagePipelines(context.Context, *imagebuilder.ListImagePipelinesInput, ...func(*imagebuilder.Options)) (*imagebuilder.ListImagePipelinesOutput, error)
	StartImagePipelineExecution(context.Context, *imagebuilder.StartImagePipelineExecutionInput, ...func(*imagebuilder.Options)) (*imagebuilder.StartImagePipelineExecutionOutput, error)
	CreateImage(context.Context, *imagebuilder.CreateImageInput, ...func(*imagebuilder.Options)) (*imagebuilder.CreateImageOutput, error)
	GetImage(context.Context, *imagebuilder.GetImageInput, ...func(*imagebuilder.Options)) (*imagebuilder.GetImageOutput, error)
	CancelImageCreation(context.Context, *imagebuilder.CancelImageCreationInput, ...func(*imagebuilder.Options)) (*imagebuilder.CancelImageCreationOutput, error)
	ListImageBuildVersions(context.Context, *imagebuilder.ListImageBuildVersionsInput, ...func(*imagebuilder.Options)) (*imagebuilder.ListImageBuildVersionsOutput, error)
	ListWorkflowExecutions(context.Context, *imagebuilder.ListWorkflowExecutionsInput, ...func(*imagebuilder.Options)) (*imagebuilder.ListWorkflowExecutionsOutput, error)
	ListWorkflowStepExecutions(context.Context, *imagebuilder.ListWorkflowStepExecutionsInput, ...func(*imagebuilder.Options)) (*imagebuilder.ListWorkflowStepExecutionsOutput, error)
	TagResource(context.Context, *imagebuilder.TagResourceInput, ...func(*imagebuilder.Options)) (*imagebuilder.TagResourceOutput, error)
}

// STSAPI is the STS call the backend makes once, to learn the account and
// partition its ARNs carry (and to fail early on bad credentials).
type STSAPI interface {
	GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
}

var (
	_ API    = (*imagebuilder.Client)(nil)
	_ STSAPI = (*sts.Client)(nil)
)

// throttleCode is Image Builder's throttling error, which the SDK's
// standard retryer does not retry by itself.
const throttleCode = "CallRateLimitExceededException"

// NewRetryer is the retryer the backend's clients use: the SDK's standard
// retryer (5xx, connection errors, the usual throttling codes) that also
// retries CallRateLimitExceededException, with exponential jittered
// backoff up to maxBackoff, and without the client-side retry quota (a
// throttling storm must be waited out, not turned into "retry quota
// exceeded"). backoff, when not nil, replaces the delay (tests).
func NewRetryer(maxAttempts int, maxBackoff time.Duration, backoff retry.BackoffDelayer) aws.Retryer {
	if maxAttempts <= 0 {
		maxAttempts = 10
	}
	if maxBackoff <= 0 {
		maxBackoff = 20 * time.Second
	}
	std := retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = maxAttempts
		o.MaxBackoff = maxBackoff
		o.RateLimiter = ratelimit.None
		if backoff != nil {
			o.Backoff = backoff
		}
	})
	return retry.AddWithErrorCodes(std, throttleCode)
}

// LoadConfig reads region, credentials and endpoints from the standard AWS
// chain (environment, shared config and credentials files and profiles,
// web identity for GitHub/GitLab OIDC, container and instance roles).
// AWS_ENDPOINT_URL_IMAGEBUILDER / AWS_ENDPOINT_URL are honoured by the SDK.
// region, when set, overrides the chain's region.
func LoadConfig(ctx context.Context, region string, retryer func() aws.Retryer) (aws.Config, error) {
	// SDK log lines (e.g. "WARN falling back to IMDSv1" from the credential
	// chain off EC2) are raw noise to a user; what they precede is reported
	// by ibgitops with the fix.
	opts := []func(*config.LoadOptions) error{config.WithRetryer(retryer), config.WithLogger(logging.Nop{})}
	if region != "" {
		opts = append(opts, config.WithRegion(region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return cfg, fmt.Errorf("load AWS configuration: %w (check AWS_PROFILE and ~/.aws/config)", err)
	}
	if cfg.Region == "" {
		return cfg, errors.New("no AWS region: set aws.region in ibgitops.yaml, or AWS_REGION, or a region in your AWS profile")
	}
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, err := cfg.Credentials.Retrieve(cctx); err != nil {
		return cfg, fmt.Errorf("no usable AWS credentials (%s): set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "+
			"or AWS_ROLE_ARN with AWS_WEB_IDENTITY_TOKEN_FILE (GitHub/GitLab OIDC)", firstLine(err))
	}
	return cfg, nil
}

func firstLine(err error) string {
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

// apiCode is the service error code of err, or "".
func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func isNotFound(err error) bool {
	return apiCode(err) == "ResourceNotFoundException"
}

// explain turns an API error into one that says what to do next.
func explain(op, what string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s %s: %w", op, what, err)
	}
	code := apiCode(err)
	msg := err.Error()
	var ae smithy.APIError
	if errors.As(err, &ae) {
		msg = ae.ErrorMessage()
	}
	switch code {
	case "AccessDeniedException", "ForbiddenException", "UnauthorizedOperation", "AccessDenied":
		return fmt.Errorf("access denied: %s %s: %s: grant the identity running ibgitops the imagebuilder:%s permission (and iam:PassRole on the instance profile role for builds)", op, what, msg, op)
	case "UnrecognizedClientException", "InvalidClientTokenId", "InvalidSignatureException", "SignatureDoesNotMatch", "ExpiredToken", "ExpiredTokenException":
		return fmt.Errorf("AWS rejected the credentials (%s) on %s: refresh them (aws sso login, a new OIDC token) or check AWS_PROFILE", code, op)
	case "ServiceQuotaExceededException":
		return fmt.Errorf("quota exceeded: %s %s: %s: raise the quota in Service Quotas (EC2 Image Builder) or delete unused resources, then re-run", op, what, msg)
	case throttleCode:
		return fmt.Errorf("Image Builder kept throttling %s %s after every retry: %s: re-run later; the next run resumes without creating duplicates", op, what, msg)
	case "ResourceNotFoundException":
		return fmt.Errorf("%s %s: %s: a referenced resource or ARN does not exist in this account and region", op, what, msg)
	case "ServiceException", "ServiceUnavailableException":
		return fmt.Errorf("Image Builder failed on %s %s after every retry (%s: %s): re-run later; the next run resumes without creating duplicates", op, what, code, msg)
	}
	return fmt.Errorf("%s %s: %w", op, what, err)
}

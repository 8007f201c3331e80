package awsapi

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"syscall"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Why a run cannot reach AWS at all, said the way a newcomer can act on:
// the SDK's own errors name only the last thing it tried (with no
// credentials anywhere, the instance metadata service; with nothing
// listening at AWS_ENDPOINT_URL, a fifth refused dial).

// errNoCredentials is the error for a credential chain that found nothing.
var errNoCredentials = errors.New("no AWS credentials found (looked in: environment, shared config/credentials files, SSO, web identity, container and instance metadata)")

// noCredentialsHint says how to give the chain credentials.
const noCredentialsHint = "set AWS_PROFILE (or --profile) to a profile of the management account" +
	" (made with `aws configure` or `aws configure sso`, then `aws sso login`), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY;" +
	" to try orgbaseline without AWS, run `orgbaseline demo`, or `orgbaseline sim serve --env-file /tmp/orgsim.env` and `source /tmp/orgsim.env`"

// noCredentials reports whether err is the standard credential chain
// finding nothing. The chain asks instance metadata last, only when no
// environment variable, shared file, SSO, web identity or container
// setting named other credentials (config.resolveCredentialChain), so
// its failure there, "no EC2 IMDS role found" (credentials/ec2rolecreds,
// provider.go; the SDK has no error type for it), means nothing was
// configured anywhere: off EC2, metadata does not answer; on an instance
// without a role, it has none.
func noCredentials(err error) bool {
	s := err.Error()
	return strings.Contains(s, "failed to refresh cached credentials") && strings.Contains(s, "no EC2 IMDS role found")
}

// unreachable reports the endpoint a call could not connect to: nothing
// listened there (connection refused) or its name does not exist. ""
// when err is not that.
func unreachable(err error) (endpoint, why string) {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return "", ""
	}
	var dns *net.DNSError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		why = "connection refused: nothing listens there"
	case errors.As(err, &dns) && dns.IsNotFound:
		why = "no such host"
	default:
		return "", ""
	}
	endpoint = ue.URL
	if u, err := url.Parse(ue.URL); err == nil && u.Host != "" {
		endpoint = u.Scheme + "://" + u.Host
	}
	if len(endpoint) > 120 {
		endpoint = endpoint[:120] + "..."
	}
	return endpoint, why
}

// awsDNSSuffixes are the DNS suffixes of AWS's own endpoints, per
// partition (the SDK's partitions.json, "dnsSuffix" and
// "dualStackDnsSuffix"). An endpoint under none of them was configured
// by someone: AWS_ENDPOINT_URL, a profile's endpoint_url, --endpoint.
var awsDNSSuffixes = []string{
	".amazonaws.com", ".amazonaws.com.cn", ".api.aws", ".api.amazonwebservices.com.cn",
	".c2s.ic.gov", ".sc2s.sgov.gov", ".cloud.adc-e.uk", ".csp.hci.ic.gov",
}

// customEndpoint reports whether endpoint (scheme://host[:port]) is not
// one of AWS's.
func customEndpoint(endpoint string) bool {
	host := endpoint
	if u, err := url.Parse(endpoint); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	host = "." + strings.ToLower(host)
	for _, s := range awsDNSSuffixes {
		if strings.HasSuffix(host, s) {
			return false
		}
	}
	return true
}

// noRetryRefused stops the retries of a refused connection to an
// endpoint that is not AWS's: an emulator or proxy that is not running
// refuses every attempt, and retrying it with backoff only made the run
// wait 15 s before saying so. AWS's endpoints keep the SDK's retries (a
// refusal there is a network in between, which may recover).
var noRetryRefused = noRetryRefusedCustom{}

type noRetryRefusedCustom struct{}

func (noRetryRefusedCustom) IsErrorRetryable(err error) aws.Ternary {
	if endpoint, _ := unreachable(err); endpoint != "" && customEndpoint(endpoint) && errors.Is(err, syscall.ECONNREFUSED) {
		return aws.FalseTernary
	}
	return aws.UnknownTernary
}

// Explain turns the errors of a run that cannot reach AWS at all (no
// credentials anywhere, an endpoint that refuses connections or does not
// exist) into one that says what was looked for and what to change; any
// other error comes back as it is. what names the call ("sts:GetCallerIdentity").
func Explain(what string, err error) error {
	if err == nil {
		return nil
	}
	if noCredentials(err) {
		return fmt.Errorf("%w: %s", errNoCredentials, noCredentialsHint)
	}
	endpoint, why := unreachable(err)
	if endpoint == "" {
		return err
	}
	if customEndpoint(endpoint) {
		return fmt.Errorf("the AWS endpoint %s is unreachable (%s, %s): it is set by AWS_ENDPOINT_URL (or AWS_ENDPOINT_URL_<SERVICE>, or endpoint_url in the profile); start the emulator or service it names (`orgbaseline sim serve --env-file /tmp/orgsim.env`), or unset it to call AWS",
			endpoint, what, why)
	}
	return fmt.Errorf("the AWS endpoint %s is unreachable (%s, %s): check the network, DNS and any proxy (HTTPS_PROXY) between here and AWS", endpoint, what, why)
}

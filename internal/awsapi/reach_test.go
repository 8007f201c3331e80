package awsapi

import (
	"context"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// closedAddr is a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestRefusedCustomEndpointNotRetried: a call to an endpoint that is not
// AWS's and refuses the connection is made once and fails naming the
// endpoint; to AWS's own endpoints the SDK's retries still apply. Every
// dial goes to a closed loopback port; the attempts are counted there.
func TestRefusedCustomEndpointNotRetried(t *testing.T) {
	hermeticEnv(t)
	addr := closedAddr(t)
	for _, tc := range []struct {
		endpoint string
		dials    int64
		hint     string
	}{
		{"http://" + addr, 1, "AWS_ENDPOINT_URL"},
		{"http://localhost.localstack.cloud:4566", 1, "AWS_ENDPOINT_URL"},
		{"https://sts.us-east-1.amazonaws.com", 5, "check the network"},
	} {
		t.Run(tc.endpoint, func(t *testing.T) {
			var dials atomic.Int64
			client := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
				dials.Add(1)
				var d net.Dialer
				return d.DialContext(ctx, network, addr)
			}}}
			cfg, err := Load(context.Background(), Options{
				Region: "us-east-1", Endpoint: tc.endpoint, HTTPClient: client, MaxAttempts: 5, NoBackoff: true,
				Static: &aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret"},
			})
			if err != nil {
				t.Fatal(err)
			}
			_, err = WhoAmI(context.Background(), sts.NewFromConfig(cfg))
			if err == nil {
				t.Fatal("a closed port answered")
			}
			if got := dials.Load(); got != tc.dials {
				t.Errorf("%d connection attempts, want %d", got, tc.dials)
			}
			for _, want := range []string{"the AWS endpoint " + tc.endpoint + " is unreachable", "connection refused", tc.hint} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error lacks %q: %v", want, err)
				}
			}
		})
	}
}

func TestCustomEndpoint(t *testing.T) {
	for endpoint, want := range map[string]bool{
		"http://127.0.0.1:4566":                   true,
		"http://localhost:4566":                   true,
		"https://sts.amazonaws.com":               false,
		"https://organizations.us-east-1.api.aws": false,
		"https://sts.cn-north-1.amazonaws.com.cn": false,
		"https://amazonaws.com.example.org":       true,
		"https://STS.US-EAST-1.AMAZONAWS.COM:443": false,
	} {
		if got := customEndpoint(endpoint); got != want {
			t.Errorf("customEndpoint(%q) = %v, want %v", endpoint, got, want)
		}
	}
}

// hermeticEnv keeps the machine's AWS settings out of a test.
func hermeticEnv(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_CONFIG_FILE": dir + "/none", "AWS_SHARED_CREDENTIALS_FILE": dir + "/none", "AWS_PROFILE": "",
		"AWS_CA_BUNDLE": "", "AWS_ENDPOINT_URL": "", "AWS_ENDPOINT_URL_STS": "", "AWS_EC2_METADATA_DISABLED": "true",
		"HTTPS_PROXY": "", "HTTP_PROXY": "", "https_proxy": "", "http_proxy": "",
	} {
		t.Setenv(k, v)
	}
}

package elastic_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/logtriage/logtriage/parsers/elastic"
)

// The AWS Signature Version 4 test suite (aws-sig-v4-test-suite, as published by AWS: credentials
// AKIDEXAMPLE, region us-east-1, service "service", 2015-08-30T12:36:00Z).
func TestSigV4TestSuite(t *testing.T) {
	const token = "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA=="
	cases := []struct {
		name, method, target string
		headers              [][2]string
		token                string
		signed, signature    string
	}{
		{"get-vanilla", "GET", "/", nil, "", "host;x-amz-date", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
		{"post-vanilla", "POST", "/", nil, "", "host;x-amz-date", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"},
		{"get-vanilla-empty-query-key", "GET", "/?Param1=value1", nil, "", "host;x-amz-date", "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb"},
		{"get-vanilla-query-order-key-case", "GET", "/?Param2=value2&Param1=value1", nil, "", "host;x-amz-date", "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"},
		{"get-vanilla-query-order-key", "GET", "/?Param1=value2&Param1=Value1", nil, "", "host;x-amz-date", "eedbc4e291e521cf13422ffca22be7d2eb8146eecf653089df300a15b2382bd1"},
		{"post-vanilla-query", "POST", "/?Param1=value1", nil, "", "host;x-amz-date", "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"},
		{"get-header-value-order", "GET", "/", [][2]string{{"My-Header1", "value4"}, {"My-Header1", "value1"}, {"My-Header1", "value3"}, {"My-Header1", "value2"}}, "", "host;my-header1;x-amz-date", "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01"},
		{"get-header-key-duplicate", "GET", "/", [][2]string{{"My-Header1", "value2"}, {"My-Header1", "value2"}, {"My-Header1", "value1"}}, "", "host;my-header1;x-amz-date", "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"},
		{"normalize-path/get-slash-pointless-dot", "GET", "/./example", nil, "", "host;x-amz-date", "ef75d96142cf21edca26f06005da7988e4f8dc83a165a80865db7089db637ec5"},
		{"normalize-path/get-relative-relative", "GET", "/example1/example2/../..", nil, "", "host;x-amz-date", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
		{"post-sts-token/post-sts-header-before", "POST", "/", nil, token, "host;x-amz-date;x-amz-security-token", "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := http.NewRequest(c.method, "https://example.amazonaws.com"+c.target, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range c.headers {
				r.Header.Add(h[0], h[1])
			}
			s := elastic.AWSSigner{Creds: elastic.AWSCredentials{AccessKeyID: "AKIDEXAMPLE",
				SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", SessionToken: c.token},
				Region: "us-east-1", Service: "service",
				Now: func() time.Time { return time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC) }}
			s.Sign(r, nil)
			want := "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=" + c.signed + ", Signature=" + c.signature
			if got := r.Header.Get("Authorization"); got != want {
				t.Errorf("got  %s\nwant %s", got, want)
			}
		})
	}
}

// Credentials come from the environment first, then the shared files of AWS_PROFILE.
func TestLoadAWSCredentials(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "credentials"), []byte("[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = s1\n\n[triage]\naws_access_key_id=AKIDTRIAGE\naws_secret_access_key=s2\naws_session_token=tok\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "config"), []byte("[profile triage]\nregion = eu-west-1\n"), 0o600)
	env := map[string]string{"HOME": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
		"AWS_CONFIG_FILE": filepath.Join(dir, "config"), "AWS_PROFILE": "triage"}
	getenv := func(k string) string { return env[k] }
	c, err := elastic.LoadAWSCredentials(getenv)
	if err != nil || c.AccessKeyID != "AKIDTRIAGE" || c.SessionToken != "tok" {
		t.Errorf("profile: %+v %v", c, err)
	}
	if r := elastic.AWSRegion(getenv); r != "eu-west-1" {
		t.Errorf("region %q", r)
	}
	env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"] = "AKIDENV", "s3"
	if c, _ := elastic.LoadAWSCredentials(getenv); c.AccessKeyID != "AKIDENV" {
		t.Errorf("environment not first: %+v", c)
	}
	delete(env, "AWS_ACCESS_KEY_ID")
	env["AWS_PROFILE"] = "nobody"
	if _, err := elastic.LoadAWSCredentials(getenv); err == nil || strings.Contains(err.Error(), "s1") {
		t.Errorf("missing profile: %v", err)
	}
}

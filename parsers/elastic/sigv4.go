package elastic

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// AWS Signature Version 4 for Amazon OpenSearch Service (service "es") and OpenSearch
// Serverless ("aoss"), written here rather than taken from the AWS SDK: the job signs plain HTTP
// requests and needs nothing else from it. sigv4_test.go checks it against the published AWS
// SigV4 test suite (docs/opensearch.md §4).

// AWSCredentials are the keys requests are signed with.
type AWSCredentials struct {
	AccessKeyID, SecretAccessKey, SessionToken string
}

// AWSSigner signs requests for one region and service.
type AWSSigner struct {
	Creds   AWSCredentials
	Region  string
	Service string           // "es" (managed domains) or "aoss" (serverless)
	Now     func() time.Time // default time.Now
}

// unsignedHeaders are left out of the signature: the transport or a proxy may change them.
var unsignedHeaders = map[string]bool{"authorization": true, "user-agent": true, "content-length": true,
	"accept-encoding": true, "connection": true, "expect": true, "x-amzn-trace-id": true, "x-elastic-client-meta": true}

// Sign adds X-Amz-Date, X-Amz-Security-Token (with a session token), X-Amz-Content-Sha256 (for
// aoss, which requires it) and Authorization to r, whose body is body.
func (s *AWSSigner) Sign(r *http.Request, body []byte) {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	t := now().UTC()
	amzDate := t.Format("20060102T150405Z")
	day := t.Format("20060102")
	r.Header.Set("X-Amz-Date", amzDate)
	if s.Creds.SessionToken != "" {
		r.Header.Set("X-Amz-Security-Token", s.Creds.SessionToken)
	}
	sum := sha256.Sum256(body)
	payload := hex.EncodeToString(sum[:])
	if s.Service == "aoss" {
		r.Header.Set("X-Amz-Content-Sha256", payload)
	}
	host := r.Host
	if host == "" {
		host = r.URL.Host
	}
	headers := map[string]string{"host": strings.TrimSpace(host)}
	for k, vs := range r.Header {
		lk := strings.ToLower(k)
		if unsignedHeaders[lk] || lk == "host" {
			continue
		}
		vals := make([]string, len(vs))
		for i, v := range vs {
			vals[i] = strings.Join(strings.Fields(v), " ")
		}
		headers[lk] = strings.Join(vals, ",")
	}
	names := make([]string, 0, len(headers))
	for k := range headers {
		names = append(names, k)
	}
	sort.Strings(names)
	var canon strings.Builder
	for _, k := range names {
		canon.WriteString(k + ":" + headers[k] + "\n")
	}
	signed := strings.Join(names, ";")
	creq := strings.Join([]string{r.Method, canonicalPath(r.URL), canonicalQuery(r.URL), canon.String(), signed, payload}, "\n")
	scope := day + "/" + s.Region + "/" + s.Service + "/aws4_request"
	h := sha256.Sum256([]byte(creq))
	toSign := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(h[:])
	key := hmacSHA256([]byte("AWS4"+s.Creds.SecretAccessKey), day)
	for _, part := range []string{s.Region, s.Service, "aws4_request"} {
		key = hmacSHA256(key, part)
	}
	sig := hex.EncodeToString(hmacSHA256(key, toSign))
	r.Header.Set("Authorization", fmt.Sprintf("AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s",
		s.Creds.AccessKeyID, scope, signed, sig))
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// canonicalPath is the URI-encoded, normalised path (services other than S3 normalise it).
func canonicalPath(u *url.URL) string {
	p := u.EscapedPath()
	if p == "" {
		return "/"
	}
	var out []string
	for _, seg := range strings.Split(p, "/") {
		switch seg {
		case ".":
			continue
		case "..":
			if len(out) > 1 {
				out = out[:len(out)-1]
			}
			continue
		}
		if seg == "" && len(out) > 0 {
			continue
		}
		s, err := url.PathUnescape(seg)
		if err != nil {
			s = seg
		}
		out = append(out, awsEscape(s))
	}
	res := strings.Join(out, "/")
	if !strings.HasPrefix(res, "/") {
		res = "/" + res
	}
	if strings.HasSuffix(p, "/") && !strings.HasSuffix(res, "/") {
		res += "/"
	}
	return res
}

// canonicalQuery sorts the parameters by name, then value, each URI-encoded.
func canonicalQuery(u *url.URL) string {
	type kv struct{ k, v string }
	var ps []kv
	for _, part := range strings.Split(u.RawQuery, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		dk, err1 := url.QueryUnescape(k)
		dv, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			dk, dv = k, v
		}
		ps = append(ps, kv{awsEscape(dk), awsEscape(dv)})
	}
	sort.Slice(ps, func(a, b int) bool {
		if ps[a].k != ps[b].k {
			return ps[a].k < ps[b].k
		}
		return ps[a].v < ps[b].v
	})
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = p.k + "=" + p.v
	}
	return strings.Join(parts, "&")
}

// awsEscape percent-encodes every byte but the unreserved characters A-Z a-z 0-9 - _ . ~.
func awsEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// signBody reads a request's body for signing and puts it back.
func signBody(r *http.Request) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	b, err := io.ReadAll(r.Body)
	r.Body.Close()
	if err != nil {
		return nil, err
	}
	r.Body = io.NopCloser(bytes.NewReader(b))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	return b, nil
}

// LoadAWSCredentials reads the standard sources in the SDKs' order: AWS_ACCESS_KEY_ID /
// AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, then the shared credentials file
// (AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials) and the shared config file
// (AWS_CONFIG_FILE, else ~/.aws/config) for the profile AWS_PROFILE (default "default").
// getenv is os.Getenv outside tests.
func LoadAWSCredentials(getenv func(string) string) (AWSCredentials, error) {
	if id, secret := getenv("AWS_ACCESS_KEY_ID"), getenv("AWS_SECRET_ACCESS_KEY"); id != "" && secret != "" {
		return AWSCredentials{id, secret, getenv("AWS_SESSION_TOKEN")}, nil
	}
	profile := getenv("AWS_PROFILE")
	if profile == "" {
		profile = "default"
	}
	home := getenv("HOME")
	credFile := getenv("AWS_SHARED_CREDENTIALS_FILE")
	if credFile == "" && home != "" {
		credFile = filepath.Join(home, ".aws", "credentials")
	}
	confFile := getenv("AWS_CONFIG_FILE")
	if confFile == "" && home != "" {
		confFile = filepath.Join(home, ".aws", "config")
	}
	for _, f := range []struct{ path, section string }{{credFile, profile}, {confFile, configSection(profile)}} {
		kv, err := iniSection(f.path, f.section)
		if err != nil {
			return AWSCredentials{}, err
		}
		if kv["aws_access_key_id"] != "" && kv["aws_secret_access_key"] != "" {
			return AWSCredentials{kv["aws_access_key_id"], kv["aws_secret_access_key"], kv["aws_session_token"]}, nil
		}
	}
	return AWSCredentials{}, fmt.Errorf("no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or keys for profile %q in the shared credentials file", profile)
}

// AWSRegion returns AWS_REGION, AWS_DEFAULT_REGION, or the profile's region in the shared config.
func AWSRegion(getenv func(string) string) string {
	for _, k := range []string{"AWS_REGION", "AWS_DEFAULT_REGION"} {
		if v := getenv(k); v != "" {
			return v
		}
	}
	profile := getenv("AWS_PROFILE")
	if profile == "" {
		profile = "default"
	}
	conf := getenv("AWS_CONFIG_FILE")
	if conf == "" && getenv("HOME") != "" {
		conf = filepath.Join(getenv("HOME"), ".aws", "config")
	}
	kv, _ := iniSection(conf, configSection(profile))
	return kv["region"]
}

func configSection(profile string) string {
	if profile == "default" {
		return "default"
	}
	return "profile " + profile
}

// iniSection reads one [section] of an AWS shared file; a missing file is empty.
func iniSection(path, section string) (map[string]string, error) {
	kv := map[string]string{}
	if path == "" {
		return kv, nil
	}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return kv, nil
	}
	if err != nil {
		return kv, fmt.Errorf("reading %s: %v", path, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(io.LimitReader(f, 1<<20))
	in := false
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			in = strings.TrimSpace(line[1:len(line)-1]) == section
			continue
		}
		if k, v, ok := strings.Cut(line, "="); ok && in {
			kv[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
		}
	}
	return kv, nil
}

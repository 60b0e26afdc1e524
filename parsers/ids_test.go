package parsers

import "testing"

// Normalisation cases follow docs/formats.md §5.3; header values are the documented examples
// (w3c/trace-context, openzipkin/b3-propagation, AWS ELB "Request tracing").
func TestIDNormalisation(t *testing.T) {
	a := &arena{}
	tests := []struct {
		name string
		set  func(*IDs, []byte, *arena)
		in   string
		want IDs
	}{
		{"traceparent", (*IDs).setTraceparent, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", IDs{TraceID: "4bf92f3577b34da6a3ce929d0e0e4736"}},
		{"traceparent upper-case", (*IDs).setTraceparent, "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01", IDs{TraceID: "4bf92f3577b34da6a3ce929d0e0e4736"}},
		{"traceparent version ff is invalid", (*IDs).setTraceparent, "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", IDs{}},
		{"traceparent all-zero trace", (*IDs).setTraceparent, "00-00000000000000000000000000000000-00f067aa0ba902b7-01", IDs{}},
		{"traceparent short", (*IDs).setTraceparent, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7", IDs{}},
		{"traceparent future version with extra field", (*IDs).setTraceparent, "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-xyz", IDs{TraceID: "4bf92f3577b34da6a3ce929d0e0e4736"}},
		{"amzn root only", (*IDs).setAmzn, "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1", IDs{AmznRoot: "1-5759e988-bd862e3fe1be46a994272793"}},
		{"amzn self first", (*IDs).setAmzn, "Self=1-67891234-12456789abcdef012345678;Root=1-67891233-abcdef012345678912345678;CalledFrom=app", IDs{AmznRoot: "1-67891233-abcdef012345678912345678"}},
		{"amzn quoted dash", (*IDs).setAmzn, `"-"`, IDs{}},
		{"request id uuid with envoy trace nibble", (*IDs).setRequestID, "84961386-6d84-929d-98bd-c5aee93b5c88", IDs{RequestID: "84961386-6d84-429d-98bd-c5aee93b5c88"}},
		{"request id upper-case", (*IDs).setRequestID, "C62EC130-6DEE-4F3B-A52B-4F0D1312D89D", IDs{RequestID: "c62ec130-6dee-4f3b-a52b-4f0d1312d89d"}},
		{"request id nginx hex", (*IDs).setRequestID, "752178adb17130b291aefd8c386279e7", IDs{RequestID: "752178adb17130b291aefd8c386279e7"}},
		{"request id placeholder", (*IDs).setRequestID, "-", IDs{}},
		{"request id zero uuid", (*IDs).setRequestID, "00000000-0000-0000-0000-000000000000", IDs{}},
		{"request id null", (*IDs).setRequestID, "null", IDs{}},
		{"b3 single", (*IDs).setB3, "80f198ee56343ba864fe8b2a57d3eff7-05e3ac9a4f6e3b90-1-e457b5a2e4d86bd1", IDs{B3TraceID: "80f198ee56343ba864fe8b2a57d3eff7"}},
		{"b3 deny only", (*IDs).setB3, "0", IDs{}},
		{"b3 64-bit", (*IDs).setB3, "463AC35C9F6413AD", IDs{B3TraceID: "463ac35c9f6413ad"}},
		{"app trace 32 hex", (*IDs).setTraceID, "2869b25b5469590610fea49ac04af7da", IDs{TraceID: "2869b25b5469590610fea49ac04af7da"}},
		{"app trace x-ray", (*IDs).setTraceID, "1-5759e988-bd862e3fe1be46a994272793", IDs{AmznRoot: "1-5759e988-bd862e3fe1be46a994272793"}},
		{"app trace datadog decimal", (*IDs).setTraceID, "1234567890123456789", IDs{B3TraceID: "112210f47de98115"}},
		{"app trace traceparent", (*IDs).setTraceID, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", IDs{TraceID: "4bf92f3577b34da6a3ce929d0e0e4736"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a.reset()
			var got IDs
			tt.set(&got, []byte(tt.in), a)
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestNginxIDsSettle(t *testing.T) {
	a := &arena{}
	var ids IDs
	ids.setNginxRequestID([]byte("0c1d2e3f405162738495a6b7c8d9e0f1"), a)
	ids.finishNginxIDs()
	if ids.RequestID != "0c1d2e3f405162738495a6b7c8d9e0f1" || ids.NginxRequestID != "" {
		t.Errorf("$request_id alone must serve as the request id: %+v", ids)
	}
	ids = IDs{}
	ids.setRequestID([]byte("c62ec130-6dee-4f3b-a52b-4f0d1312d89d"), a)
	ids.setNginxRequestID([]byte("0c1d2e3f405162738495a6b7c8d9e0f1"), a)
	ids.finishNginxIDs()
	if ids.RequestID != "c62ec130-6dee-4f3b-a52b-4f0d1312d89d" || ids.NginxRequestID != "0c1d2e3f405162738495a6b7c8d9e0f1" {
		t.Errorf("both ids must be kept: %+v", ids)
	}
}

func TestParseID(t *testing.T) {
	ids := ParseID("84961386-6d84-929d-98bd-c5aee93b5c88")
	if ids.RequestID != "84961386-6d84-429d-98bd-c5aee93b5c88" {
		t.Errorf("uuid: %+v", ids)
	}
	ids = ParseID("Root=1-67891233-abcdef012345678912345678")
	if ids.AmznRoot != "1-67891233-abcdef012345678912345678" {
		t.Errorf("amzn: %+v", ids)
	}
}

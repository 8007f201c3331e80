package pluginhost

import (
	"errors"
	"fmt"
	"math"
	"strconv"

	"google.golang.org/grpc"
	"google.golang.org/grpc/encoding"
	grpcproto "google.golang.org/grpc/encoding/proto"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/orgbaseline/orgbaseline/plugins/proto/checkpb"
)

// The caps on findings must hold while the answer is decoded, not after:
// a 16 MiB answer of tiny findings decodes into about a million Go
// values (over 400 MB). So the host's gRPC connection to a plugin uses
// limitCodec, which reads a RunResponse's wire form and decodes only the
// findings, evidence entries and compliance references within the caps.

// Field numbers in plugins/proto/check.proto (checked by a test against
// the generated descriptors).
const (
	runResponseFindings protowire.Number = 1
	findingCompliance   protowire.Number = 9
	findingEvidence     protowire.Number = 10
	mapEntryKey         protowire.Number = 1
)

// droppedMarker is the check id of the finding limitCodec appends when it
// drops findings; its evidence "dropped" is how many. It is always the
// finding after the maxFindings kept, and a plugin's own findings past
// maxFindings never survive decoding, so it cannot be forged.
const droppedMarker = "orgbaseline.findings-dropped"

// grpcLimits are the dial options of every plugin connection: the message
// cap (after go-plugin's own options, which allow math.MaxInt32, so these
// win) and the codec.
func grpcLimits() []grpc.DialOption {
	base := encoding.GetCodecV2(grpcproto.Name)
	return []grpc.DialOption{grpc.WithDefaultCallOptions(
		grpc.MaxCallRecvMsgSize(maxMessageBytes),
		grpc.ForceCodecV2(limitCodec{base}),
	)}
}

// limitCodec is gRPC's proto codec, except that a RunResponse is decoded
// within the caps.
type limitCodec struct{ encoding.CodecV2 }

func (c limitCodec) Unmarshal(data mem.BufferSlice, v any) error {
	m, ok := v.(*checkpb.RunResponse)
	if !ok {
		return c.CodecV2.Unmarshal(data, v)
	}
	buf := data.MaterializeToBuffer(mem.DefaultBufferPool())
	defer buf.Free()
	kept, err := limitRunResponse(buf.ReadOnlyData())
	if err != nil {
		return fmt.Errorf("plugin answer: %w", err)
	}
	return proto.Unmarshal(kept, m)
}

var errWire = errors.New("malformed protobuf")

// limitRunResponse returns the wire form of a RunResponse with at most
// maxFindings findings, each within the evidence and compliance caps,
// followed by a droppedMarker finding if any were dropped.
func limitRunResponse(b []byte) ([]byte, error) {
	var out []byte
	kept, dropped := 0, 0
	for len(b) > 0 {
		num, typ, field, val, rest, err := nextField(b)
		if err != nil {
			return nil, err
		}
		b = rest
		switch {
		case num != runResponseFindings || typ != protowire.BytesType:
			out = append(out, field...)
		case kept == maxFindings:
			dropped++
		default:
			f, err := limitFinding(val)
			if err != nil {
				return nil, fmt.Errorf("finding %d: %w", kept, err)
			}
			out = protowire.AppendTag(out, runResponseFindings, protowire.BytesType)
			out = protowire.AppendBytes(out, f)
			kept++
		}
	}
	if dropped > 0 {
		marker, err := proto.Marshal(&checkpb.Finding{
			Check:    droppedMarker,
			Status:   "ERROR",
			Evidence: map[string]string{"dropped": strconv.Itoa(dropped)},
		})
		if err != nil {
			return nil, err
		}
		out = protowire.AppendTag(out, runResponseFindings, protowire.BytesType)
		out = protowire.AppendBytes(out, marker)
	}
	return out, nil
}

// limitFinding returns the wire form of a Finding within the evidence and
// compliance caps, without any evidence entry of the plugin's named
// limitKey, and with the host's limitKey entry if it dropped anything.
func limitFinding(b []byte) ([]byte, error) {
	out := make([]byte, 0, len(b))
	evidence, compliance, droppedEv, droppedComp := 0, 0, 0, 0
	for len(b) > 0 {
		num, typ, field, val, rest, err := nextField(b)
		if err != nil {
			return nil, err
		}
		b = rest
		switch {
		case num == findingCompliance && typ == protowire.BytesType:
			if compliance == maxCompliance {
				droppedComp++
				continue
			}
			compliance++
		case num == findingEvidence && typ == protowire.BytesType:
			key, err := entryKey(val)
			if err != nil {
				return nil, err
			}
			if key == limitKey {
				continue
			}
			if evidence == maxEvidenceEntries {
				droppedEv++
				continue
			}
			evidence++
		}
		out = append(out, field...)
	}
	if droppedEv+droppedComp > 0 {
		note := fmt.Sprintf("the plugin's finding went over the host's limits: %d evidence entries (over %d) and %d compliance references (over %d) were dropped",
			droppedEv, maxEvidenceEntries, droppedComp, maxCompliance)
		var entry []byte
		entry = protowire.AppendTag(entry, mapEntryKey, protowire.BytesType)
		entry = protowire.AppendString(entry, limitKey)
		entry = protowire.AppendTag(entry, 2, protowire.BytesType)
		entry = protowire.AppendString(entry, note)
		out = protowire.AppendTag(out, findingEvidence, protowire.BytesType)
		out = protowire.AppendBytes(out, entry)
	}
	return out, nil
}

// entryKey is the key of a map entry's wire form.
func entryKey(b []byte) (string, error) {
	key := ""
	for len(b) > 0 {
		num, typ, _, val, rest, err := nextField(b)
		if err != nil {
			return "", err
		}
		b = rest
		if num == mapEntryKey && typ == protowire.BytesType {
			key = string(val)
		}
	}
	return key, nil
}

// nextField splits the first field off b: its number and type, its whole
// wire form, its value when it is length-delimited, and the rest of b.
func nextField(b []byte) (num protowire.Number, typ protowire.Type, field, val, rest []byte, err error) {
	num, typ, n := protowire.ConsumeTag(b)
	if n < 0 {
		return 0, 0, nil, nil, nil, errWire
	}
	m := protowire.ConsumeFieldValue(num, typ, b[n:])
	if m < 0 || m > math.MaxInt-n {
		return 0, 0, nil, nil, nil, errWire
	}
	field = b[:n+m]
	if typ == protowire.BytesType {
		val, _ = protowire.ConsumeBytes(b[n:])
	}
	return num, typ, field, val, b[n+m:], nil
}

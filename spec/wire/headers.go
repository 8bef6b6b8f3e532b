package wire

import "sort"

// AppendHeaders appends h as an encoded headers field: a map of str to str
// with keys in sorted order, or nil when h is nil. The result is what Pub and
// Msg carry in their Headers field.
func AppendHeaders(b []byte, h map[string]string) []byte {
	if h == nil {
		return append(b, 0xc0)
	}
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	b = appendMapHeader(b, len(h))
	for _, k := range keys {
		b = appendStr(b, k)
		b = appendStr(b, h[k])
	}
	return b
}

// EncodeHeaders returns h encoded for a Pub's Headers field, nil for nil.
func EncodeHeaders(h map[string]string) []byte {
	if h == nil {
		return nil
	}
	return AppendHeaders(nil, h)
}

// DecodeHeaders decodes an encoded headers field (as found in Pub.Headers or
// Msg.Headers). It returns nil for nil input. When a key repeats, the last
// value wins.
func DecodeHeaders(raw []byte) (map[string]string, error) {
	if raw == nil {
		return nil, nil
	}
	d := dec{b: raw}
	n := d.mapLen()
	if d.err != nil {
		return nil, d.err
	}
	// Each entry takes at least two bytes, which bounds the allocation by the
	// input's size.
	h := make(map[string]string, min(n, len(raw)/2))
	for k := 0; k < n && d.err == nil; k++ {
		key := d.str()
		val := d.str()
		if d.err == nil {
			h[string(key)] = string(val)
		}
	}
	if d.err == nil && d.i != len(raw) {
		d.fail("bytes after the headers map")
	}
	if d.err != nil {
		return nil, d.err
	}
	return h, nil
}

package onnx

// LooksLikeModel reports whether head, the first bytes of a file (a few
// hundred suffice), reads as the start of a ModelProto: every field up to
// the end of head is one of ModelProto's with its wire type, among them is
// ir_version, opset_import or the graph, and ir_version, if present, is at
// least 3 (ONNX 1.0; a TensorFlow SavedModel starts like an ONNX model of IR
// version 1). It is a quick test for choosing a reader, not a validation:
// Decode may still refuse the file.
func LooksLikeModel(head []byte) bool {
	wireOf := map[int]int{1: wireVarint, 2: wireBytes, 3: wireBytes, 4: wireBytes, 5: wireVarint,
		6: wireBytes, 7: wireBytes, 8: wireBytes, 14: wireBytes, 20: wireBytes, 25: wireBytes}
	r := reader{buf: head}
	seen := false
	for {
		f, w, ok, err := r.next()
		if err != nil || !ok {
			return err == nil && seen
		}
		if expected, known := wireOf[f]; !known || expected != w {
			return false
		}
		if f == 1 || f == 7 || f == 8 {
			seen = true
		}
		if f == 1 {
			v, err := r.varint()
			if err != nil || v < 3 || v > 1<<20 {
				return false
			}
			continue
		}
		if w == wireBytes {
			n, err := r.varint()
			if err != nil {
				return false
			}
			if n >= uint64(len(head)-r.off) {
				return seen || f == 7 || f == 8 // runs past what we were given
			}
			r.off += int(n)
			continue
		}
		if err := r.skip(w); err != nil {
			return false
		}
	}
}

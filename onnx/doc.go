// Package onnx reads and writes ONNX model files (ModelProto) with its own
// protobuf encoding, standard library only. It holds the messages an
// inference graph needs (model, graph, node, attribute, tensor, value info
// with tensor types and shapes) and skips the rest; it knows nothing of
// gomlp's layers (package onnxnet maps graphs to networks).
//
// Reading:
//
//	m, err := onnx.ReadFile("model.onnx")
//	for _, n := range m.Graph.Nodes { fmt.Println(n.OpType, n.Name) }
//	w, err := m.Graph.Initializer("fc1.weight").Float32s() // raw or typed, float32/16, bfloat16, float64
//
// Decoding is safe on hostile input: every varint, length, count and shape
// is checked against the data and the limits below before anything is
// allocated, so a damaged or malicious file gives an *Error naming the field,
// never a panic, and memory stays proportional to the file.
//
// Writing: build a Model (FloatTensor makes initializers) and call Encode or
// WriteFile. Repeated scalars are written packed, tensor values as raw data
// or as given.
package onnx

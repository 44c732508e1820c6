// Package layers defines the building blocks of a multilayer perceptron and
// the Network that chains them: Dense (fully connected); the activations
// ReLU, Tanh, Sigmoid, LeakyReLU and GELU; Dropout; a Normalizer that
// standardises the inputs inside the model and a TargetScaler that puts a
// regression network's outputs in the targets' units (both fitted once and
// saved with the weights, see FixedLayer); and the output heads SoftmaxCE
// (classification) and MSE or Huber (regression, see RegressionHead).
//
// A Network is usually built from a Spec, which also describes the
// architecture as a string map so that a checkpoint can rebuild the network
// on its own:
//
//	spec := layers.NewSpec(784, []int{256}, 10)
//	net, err := spec.Build(seed)
//
// Parameters have stable names: the i-th Dense layer (counting only Dense
// layers, from the input) owns "dense_i/weights" ([in, out]) and
// "dense_i/biases" ([out]), unless the layer was given a name. Adding or
// changing a later layer never renames an earlier one, so checkpoints of a
// modified network can still be restored by name.
//
// Training uses the network's own buffers (ForwardBackward, Forward,
// Backward) and is for one goroutine at a time. Inference (Predict,
// Classify) only reads the parameters and takes its scratch memory from a
// pool, so any number of goroutines may call it on a trained network at
// once, with no allocation per call in steady state.
//
// The package does no I/O.
package layers

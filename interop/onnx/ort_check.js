// Runs ONNX models in ONNX Runtime (onnxruntime-node) on raw float32 inputs
// and compares the outputs with gomlp's Predict.
//
//   node ort_check.js X.f32 MODEL.onnx REF.f32 [MODEL.onnx REF.f32 ...]
//
// X.f32 holds rows of 784 float32 (the MNIST test images), REF.f32 gomlp's
// Predict output for that model. Fails unless every output is within 1e-5
// of gomlp's and the argmax is the same on every row.
'use strict';
const fs = require('fs');
const ort = require('onnxruntime-node');

const TOL = 1e-5;

function floats(path) {
  const b = fs.readFileSync(path);
  return new Float32Array(b.buffer, b.byteOffset, b.length / 4);
}

function argmax(v, off, n) {
  let best = 0;
  for (let j = 1; j < n; j++) if (v[off + j] > v[off + best]) best = j;
  return best;
}

async function check(x, cols, model, refPath) {
  const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1 });
  const inName = session.inputNames[0], outName = session.outputNames[0];
  const ref = floats(refPath);
  const rows = x.length / cols;
  const outCols = ref.length / rows;
  let maxDiff = 0, argmaxDiff = 0;
  const batch = 1000;
  for (let r = 0; r < rows; r += batch) {
    const n = Math.min(batch, rows - r);
    const input = new ort.Tensor('float32', x.subarray(r * cols, (r + n) * cols), [n, cols]);
    const out = (await session.run({ [inName]: input }))[outName];
    if (out.dims.length !== 2 || out.dims[0] !== n || out.dims[1] !== outCols) {
      throw new Error(`${model}: output shape [${out.dims}], want [${n}, ${outCols}]`);
    }
    const y = out.data;
    for (let i = 0; i < n; i++) {
      const off = (r + i) * outCols;
      for (let j = 0; j < outCols; j++) {
        const d = Math.abs(y[i * outCols + j] - ref[off + j]);
        if (!(d <= maxDiff)) maxDiff = d; // NaN makes it fail below
      }
      if (argmax(y, i * outCols, outCols) !== argmax(ref, off, outCols)) argmaxDiff++;
    }
  }
  console.log(`${model}: ONNX Runtime ${ort.env.versions ? ort.env.versions.common : ''} on ${rows} rows: ` +
    `max |ORT - gomlp| = ${maxDiff.toExponential(3)}, argmax differs on ${argmaxDiff}`);
  return maxDiff <= TOL && argmaxDiff === 0;
}

async function main() {
  const args = process.argv.slice(2);
  if (args.length < 3 || args.length % 2 !== 1) {
    console.error('usage: node ort_check.js X.f32 MODEL.onnx REF.f32 [...]');
    process.exit(2);
  }
  const x = floats(args[0]);
  let ok = true;
  for (let i = 1; i < args.length; i += 2) {
    ok = (await check(x, 784, args[i], args[i + 1])) && ok;
  }
  if (!ok) {
    console.error('FAIL: ONNX Runtime and gomlp disagree');
    process.exit(1);
  }
}

main().catch((e) => { console.error(e); process.exit(1); });

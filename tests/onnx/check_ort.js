// ONNX Runtime (onnxruntime-node) against gemmnet: for every model that
// make_models.sh wrote into DIR, runs NAME.onnx on data.csv's rows (all of
// them in one batch, then the first row alone: the batch dimension is
// symbolic) and compares the probabilities with NAME.proba, what
// `gemmnet predict --proba` printed, within TOLERANCE (absolute).
// Prints one line per model with the largest difference; exits 1 if any
// model is off, or its input and output are not named input/probabilities.
// Usage: node check_ort.js DIR [TOLERANCE]
'use strict';
const fs = require('fs');
const path = require('path');
const ort = require('onnxruntime-node');

const dir = process.argv[2];
const tolerance = Number(process.argv[3] || 1e-6);

function readRows(file, columns) {
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
    return lines.map((line) => line.split(',').slice(0, columns).map(Number));
}

async function check(name, features) {
    const session = await ort.InferenceSession.create(path.join(dir, name + '.onnx'));
    if (session.inputNames.join() !== 'input' || session.outputNames.join() !== 'probabilities')
        return `${name}: inputs ${session.inputNames}, outputs ${session.outputNames}`;
    const expected = readRows(path.join(dir, name + '.proba'), Infinity);
    const k = expected[0].length;
    const x = Float32Array.from(features.flat());
    const all = await session.run({input: new ort.Tensor('float32', x, [features.length, 2])});
    const one = await session.run({input: new ort.Tensor('float32', x.slice(0, 2), [1, 2])});
    const p = all.probabilities.data;
    let worst = 0;
    for (let i = 0; i < features.length; i++)
        for (let j = 0; j < k; j++)
            worst = Math.max(worst, Math.abs(p[i * k + j] - expected[i][j]));
    for (let j = 0; j < k; j++)
        worst = Math.max(worst, Math.abs(one.probabilities.data[j] - expected[0][j]));
    console.log(`${name}: ${features.length} rows, largest difference ${worst.toExponential(2)}`);
    return worst <= tolerance ? null : `${name}: largest difference ${worst} > ${tolerance}`;
}

(async () => {
    const features = readRows(path.join(dir, 'data.csv'), 2).slice(1);
    const names = fs.readFileSync(path.join(dir, 'models.txt'), 'utf8').trim().split('\n');
    const failures = [];
    for (const name of names) {
        const problem = await check(name, features);
        if (problem)
            failures.push(problem);
    }
    failures.forEach((f) => console.log('FAIL: ' + f));
    console.log(`${names.length - failures.length} passed, ${failures.length} failed`);
    process.exit(failures.length ? 1 : 0);
})().catch((e) => {
    console.log('FAIL: ' + e.message);
    process.exit(1);
});

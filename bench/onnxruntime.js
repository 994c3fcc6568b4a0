// ONNX Runtime's side of bench/compare-onnxruntime: runs DIR/NAME.onnx
// (written by predict_rate) through onnxruntime-node on the rows in
// DIR/NAME.x (raw float32) with intraOpNumThreads = T and prints, per
// thread count, one JSON line like predict_rate's:
//   batch    session.run on all N rows at once (median and best of REPEATS)
//   latency  session.run on one row (median and best of 25 samples of
//            many calls), Tensor
//            creation included: what a caller pays per row
//   overhead the same single-row call on an Identity model of one float
//            (no arithmetic at all): the binding's and the session's own
//            cost per call, which the latency includes
// and the largest difference from gemmnet's probabilities (DIR/NAME.proba).
// Usage: node onnxruntime.js MODULE DIR NAME D K N THREADS[,THREADS...] [REPEATS]
'use strict';
const fs = require('fs');
const path = require('path');

const [moduleDir, dir, name, dText, kText, nText, threadList, repeatText] = process.argv.slice(2);
const ort = require(moduleDir);
const d = Number(dText), k = Number(kText), n = Number(nText), repeats = Number(repeatText || 7);

// A protobuf encoder just big enough for the Identity model.
function varint(v) {
    const out = [];
    for (; v > 127; v = Math.floor(v / 128))
        out.push((v % 128) | 128);
    out.push(v);
    return out;
}
const field = (number, bytes) => [...varint(number * 8 + 2), ...varint(bytes.length), ...bytes];
const int = (number, v) => [...varint(number * 8), ...varint(v)];
const text = (number, s) => field(number, [...Buffer.from(s)]);
function identityModel() {
    // ValueInfoProto{name, type{tensor_type{elem_type FLOAT, shape{dim 1, dim 1}}}}
    const shape = field(2, [...field(1, int(1, 1)), ...field(1, int(1, 1))]);
    const value = (s) => [...text(1, s), ...field(2, field(1, [...int(1, 1), ...shape]))];
    const node = [...text(1, 'x'), ...text(2, 'y'), ...text(4, 'Identity')];
    const graph = [...field(1, node), ...text(2, 'identity'), ...field(11, value('x')), ...field(12, value('y'))];
    return Uint8Array.from([...int(1, 8), ...field(8, int(2, 13)), ...field(7, graph)]);
}

const median = (v) => {
    const s = [...v].sort((a, b) => a - b);
    return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const now = () => Number(process.hrtime.bigint()) / 1e9;

// [median, least] seconds per call of run(), over 25 samples of ~20 ms.
async function perCall(run) {
    let calls = 1;
    for (;;) {
        const start = now();
        for (let c = 0; c < calls; c++)
            await run();
        if (now() - start > 0.02)
            break;
        calls *= 2;
    }
    const samples = [];
    for (let s = 0; s < 25; s++) {
        const start = now();
        for (let c = 0; c < calls; c++)
            await run();
        samples.push((now() - start) / calls);
    }
    return [median(samples), Math.min(...samples)];
}

(async () => {
    const raw = fs.readFileSync(path.join(dir, name + '.x'));
    const x = new Float32Array(raw.buffer, raw.byteOffset, n * d);
    const expected = fs.readFileSync(path.join(dir, name + '.proba'), 'utf8').trim().split('\n')
        .map((line) => line.split(',').map(Number));
    for (const threads of threadList.split(',').map(Number)) {
        const options = {intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential',
                         graphOptimizationLevel: 'all'};
        const session = await ort.InferenceSession.create(path.join(dir, name + '.onnx'), options);
        const identity = await ort.InferenceSession.create(identityModel(), options);
        const batch = new ort.Tensor('float32', x, [n, d]);
        const first = (await session.run({input: batch})).probabilities.data;
        let worst = 0;
        expected.forEach((row, i) => row.forEach((p, j) => { worst = Math.max(worst, Math.abs(p - first[i * k + j])); }));
        const times = [];
        for (let r = 0; r < repeats; r++) {
            const start = now();
            await session.run({input: batch});
            times.push(now() - start);
        }
        const row = x.slice(0, d), one = Float32Array.of(0.5);
        const latency = await perCall(() => session.run({input: new ort.Tensor('float32', row, [1, d])}));
        const overhead = await perCall(() => identity.run({x: new ort.Tensor('float32', one, [1, 1])}));
        console.log(JSON.stringify({engine: 'onnxruntime', model: name, threads, rows: n,
                                    rows_per_s: n / median(times), rows_per_s_best: n / Math.min(...times),
                                    latency_us: 1e6 * latency[0], latency_us_best: 1e6 * latency[1],
                                    overhead_us: 1e6 * overhead[0], overhead_us_best: 1e6 * overhead[1],
                                    max_difference: worst}));
    }
})().catch((e) => {
    console.error('onnxruntime.js: ' + e.message);
    process.exit(1);
});

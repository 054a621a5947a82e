import Base
import Distill
import Foundation
import Model

// bench-logit-codec FILE.jsonl VOCABULARY_SIZE [ROUNDS]: sizes, errors and
// decode speed of LogitCodec on the records of `smelt score --json --top-k K`.
// Prints one markdown table row per stage; see tools/bench-logit-codec.sh.

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("bench-logit-codec: \(message)\n".utf8))
    exit(1)
}

let arguments = CommandLine.arguments
guard arguments.count >= 3, let vocabularySize = Int(arguments[2]) else {
    fail("usage: bench-logit-codec FILE.jsonl VOCABULARY_SIZE [ROUNDS]")
}
let rounds = arguments.count > 3 ? Int(arguments[3]) ?? 5 : 5

struct Record {
    var scores: TokenScores
    var lossMask: [Bool]
}

func doubles(_ value: Any?) -> [Double] { (value as? [NSNumber])?.map(\.doubleValue) ?? [] }

var records: [Record] = []
guard let text = try? String(contentsOfFile: arguments[1], encoding: .utf8) else { fail("cannot read \(arguments[1])") }
for line in text.split(separator: "\n") {
    guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { continue }
    guard let ids = object["ids"] as? [Int], let topRows = object["top_ids"] as? [[Int]] else { continue }
    let topK = topRows.first?.count ?? 0
    let topLogProbabilities = ((object["top_logprobs"] as? [[NSNumber]]) ?? []).flatMap { $0.map(\.doubleValue) }
    let scores = TokenScores(
        ids: ids, topK: topK, goldLogProbabilities: doubles(object["gold_logprob"]),
        logSumExps: doubles(object["logsumexp"]), topIDs: topRows.flatMap { $0.map { Int32($0) } },
        topLogProbabilities: topLogProbabilities)
    records.append(Record(scores: scores, lossMask: (object["loss_mask"] as? [Bool]) ?? []))
}
guard !records.isEmpty else { fail("no records in \(arguments[1])") }
let topK = records[0].scores.topK
let tokens = records.reduce(0) { $0 + $1.scores.ids.count }

/// A plain layout after quantisation: u32 ids, u8 mask, u32 log-sum-exp
/// steps, u16 gold steps, and per entry a u32 id and u16 steps (saturated).
func fixedWidth(_ record: Record) -> [UInt8] {
    var bytes: [UInt8] = []
    func put<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
    func steps(_ value: Double) -> UInt16 { UInt16(min(65535, max(0, (-value * 512).rounded()))) }
    let scores = record.scores
    for position in scores.ids.indices {
        put(UInt32(scores.ids[position]))
        put(UInt8(position < record.lossMask.count && record.lossMask[position] ? 1 : 0))
        put(Int32((scores.logSumExps[position] * 512).rounded()))
        if position < scores.goldLogProbabilities.count { put(steps(scores.goldLogProbabilities[position])) }
        for rank in 0..<scores.topK {
            put(UInt32(scores.topIDs[position * scores.topK + rank]))
            put(steps(scores.topLogProbabilities[position * scores.topK + rank]))
        }
    }
    return bytes
}

/// Bytes of a spill file holding each payload as one block (32-byte header plus LZ4).
func spillBytes(_ payloads: [[UInt8]]) throws -> Int {
    let path = NSTemporaryDirectory() + "bench-logit-codec-\(getpid()).spill"
    defer { unlink(path) }
    let writer = try SpillWriter(path: path)
    for payload in payloads { try writer.append(payload) }
    return Int(writer.length)
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

do {
    var encoded: [[UInt8]] = []
    let encodeSeconds = try seconds {
        encoded = try records.map {
            try LogitCodec.encode($0.scores, lossMask: $0.lossMask, vocabularySize: vocabularySize)
        }
    }
    let again = try records.map {
        try LogitCodec.encode($0.scores, lossMask: $0.lossMask, vocabularySize: vocabularySize)
    }
    guard again == encoded else { fail("encoding twice gave different bytes") }

    var maximumError = (top: 0.0, gold: 0.0, logSumExp: 0.0)
    for (record, bytes) in zip(records, encoded) {
        let decoded = try bytes.withUnsafeBytes { try LogitCodec.decode($0, vocabularySize: vocabularySize) }
        let scores = record.scores
        guard decoded.ids.map(Int.init) == scores.ids, decoded.topIDs == scores.topIDs,
            decoded.lossMask == record.lossMask, decoded.topK == scores.topK
        else { fail("round trip lost ids, mask or K") }
        for (a, b) in zip(decoded.topLogProbabilities, scores.topLogProbabilities) {
            maximumError.top = max(maximumError.top, abs(Double(a) - max(b, -32768)))
        }
        for (a, b) in zip(decoded.goldLogProbabilities, scores.goldLogProbabilities) {
            maximumError.gold = max(maximumError.gold, abs(Double(a) - max(b, -32768)))
        }
        for (a, b) in zip(decoded.logSumExps, scores.logSumExps) {
            maximumError.logSumExp = max(maximumError.logSumExp, abs(Double(a) - b))
        }
    }

    var bestDecode = Double.infinity
    var checksum: Float = 0
    for _ in 0..<rounds {
        let elapsed = try seconds {
            for bytes in encoded {
                let decoded = try bytes.withUnsafeBytes { try LogitCodec.decode($0, vocabularySize: vocabularySize) }
                checksum += decoded.logSumExps[0]
            }
        }
        bestDecode = min(bestDecode, elapsed)
    }

    let fixed = records.map(fixedWidth)
    let perToken = { (bytes: Int) in String(format: "%.2f", Double(bytes) / Double(tokens)) }
    let codecBytes = encoded.reduce(0) { $0 + $1.count }
    let codecSpill = try spillBytes(encoded)
    let headers = records.count * SpillBlock.headerByteCount
    let name = (arguments[1] as NSString).lastPathComponent
    print("\(name): \(records.count) records, \(tokens) tokens, K = \(topK), vocabulary \(vocabularySize)")
    print("")
    print("| stage | bytes/token |")
    print("|---|---|")
    print("| naive: K × (fp16 logit + int64 id), as FuseLLM | \(perToken(tokens * topK * 10)) |")
    let fixedBytes = fixed.reduce(0) { $0 + $1.count }
    print("| quantised, fixed width (u32 ids, u16 steps, u32 log-sum-exp) | \(perToken(fixedBytes)) |")
    print("| quantised, fixed width, LZ4 + 32-byte header per record | \(perToken(try spillBytes(fixed))) |")
    print("| LogitCodec bytes | \(perToken(codecBytes)) |")
    print("| LogitCodec, LZ4 (no headers) | \(perToken(codecSpill - headers)) |")
    print("| LogitCodec, LZ4 + 32-byte header per record (spill file) | \(perToken(codecSpill)) |")
    print("")
    print(
        String(
            format: "max abs error: top %.6f, gold %.6f, log-sum-exp %.6f; encode %.0f positions/s; "
                + "decode %.0f positions/s (best of %d rounds, one core; checksum %.1f)",
            maximumError.top, maximumError.gold, maximumError.logSumExp, Double(tokens) / encodeSeconds,
            Double(tokens) / bestDecode, rounds, checksum))
    if topK >= 50 { try sampledRows() }
} catch {
    fail("\(error)")
}

/// Sampled targets made from the top K: N draws per position from the
/// top-K distribution renormalised (SplitMix64, seed 1), distinct ids in
/// order of log-probability with their counts and the exact log-probabilities.
@MainActor func sampledRows() throws {
    print("")
    print("Sampled targets (N draws per position from the renormalised top \(topK)):")
    print("")
    print("| N | bytes/token: codec | LZ4 + 32-byte header per record | max abs error | decode positions/s |")
    print("|---|---|---|---|---|")
    for drawCount in [12, 50] {
        var state: UInt64 = 1
        func unit() -> Double {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
        }
        let sampled = records.map { record -> SampledRecord<Double> in
            let scores = record.scores
            let positions = scores.ids.indices.map { position -> SampledPosition<Double> in
                let row = position * topK
                let values = Array(scores.topLogProbabilities[row..<row + topK])
                let weights = values.map { exp($0) }
                let total = weights.reduce(0, +)
                var counts = [UInt16](repeating: 0, count: topK)
                for _ in 0..<drawCount {
                    var target = unit() * total, rank = 0
                    while rank < topK - 1, target >= weights[rank] {
                        target -= weights[rank]
                        rank += 1
                    }
                    counts[rank] += 1
                }
                let drawn = (0..<topK).filter { counts[$0] > 0 }
                return SampledPosition(
                    ids: drawn.map { scores.topIDs[row + $0] }, counts: drawn.map { counts[$0] },
                    logProbabilities: drawn.map { values[$0] })
            }
            return SampledRecord(
                ids: scores.ids.map { Int32($0) }, lossMask: record.lossMask,
                goldLogProbabilities: scores.goldLogProbabilities, logSumExps: scores.logSumExps, positions: positions)
        }
        let encoded = try sampled.map { try LogitCodec.encodeSampled($0, vocabularySize: vocabularySize) }
        var maximumError = 0.0
        for (record, bytes) in zip(sampled, encoded) {
            let decoded = try bytes.withUnsafeBytes { try LogitCodec.decodeSampled($0, vocabularySize: vocabularySize) }
            guard decoded.ids == record.ids, decoded.positions.map(\.ids) == record.positions.map(\.ids),
                decoded.positions.map(\.counts) == record.positions.map(\.counts)
            else { fail("sampled round trip lost ids or counts") }
            let pairs = zip(
                decoded.positions.flatMap(\.logProbabilities) + decoded.goldLogProbabilities + decoded.logSumExps,
                record.positions.flatMap(\.logProbabilities) + record.goldLogProbabilities + record.logSumExps)
            for (a, b) in pairs { maximumError = max(maximumError, abs(Double(a) - b)) }
        }
        var best = Double.infinity
        for _ in 0..<rounds {
            best = min(
                best,
                try seconds {
                    for bytes in encoded {
                        _ = try bytes.withUnsafeBytes {
                            try LogitCodec.decodeSampled($0, vocabularySize: vocabularySize)
                        }
                    }
                })
        }
        let codecBytes = encoded.reduce(0) { $0 + $1.count }
        print(
            String(
                format: "| %d | %.2f | %.2f | %.6f | %.0f |", drawCount, Double(codecBytes) / Double(tokens),
                Double(try spillBytes(encoded)) / Double(tokens), maximumError, Double(tokens) / best))
    }
}

import Distill
import Model
import Testing

/// A small valid payload to damage.
let sampleScores = SyntheticScores.record(seed: 11, tokenCount: 24, topK: 4, vocabularySize: 1000)
let samplePayload = try! LogitCodec.encode(sampleScores.scores, lossMask: sampleScores.lossMask, vocabularySize: 1000)

/// Ways to damage a payload, each of which `decode` must refuse.
enum Damage: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case empty = "no bytes"
    case wrongKind = "kind byte 7"
    case trailingByte = "one byte appended"
    case trailingZero = "a zero byte appended"
    case zeroTokens = "token count 0"
    case hugeTokenCount = "token count 2^20 in a few bytes"
    case tokenCountPastTheLimit = "token count 2^20 + 1"
    case tooManyEntries = "n × K past 2^25"
    case hugeK = "K 5000"
    case overlongVarint = "token count in an overlong form"
    case varintPast32Bits = "token count past 32 bits"
    case ransLengthPastEnd = "rANS length past the end"
    case ransTooShort = "rANS section under 4 bytes"
    case lastByteDropped = "last byte dropped"

    var testDescription: String { rawValue }

    /// Words the refusal's message must hold: it names what is wrong.
    var messageHolds: String {
        switch self {
        case .empty: "kind byte"
        case .wrongKind: "kind byte: 7"
        case .trailingByte, .trailingZero: "unexpected byte"
        case .zeroTokens, .tokenCountPastTheLimit: "token count"
        case .hugeTokenCount: "more than the payload can hold"
        case .hugeK, .tooManyEntries: "K: "
        case .overlongVarint: "overlong"
        case .varintPast32Bits: "beyond 32 bits"
        case .ransLengthPastEnd: "ends inside rANS section"
        case .ransTooShort: "at least 4"
        case .lastByteDropped: "ends inside"
        }
    }

    var bytes: [UInt8] {
        var bytes = samplePayload
        switch self {
        case .empty: return []
        case .wrongKind: bytes[0] = 7
        case .trailingByte: bytes.append(0x5A)
        case .trailingZero: bytes.append(0)
        case .zeroTokens: bytes[1] = 0
        case .hugeTokenCount: return [1, 0x80, 0x80, 0x40, 10, 4, 0, 0, 0x80, 0]
        case .tokenCountPastTheLimit: return [1, 0x81, 0x80, 0x40, 0, 4, 0, 0, 0x80, 0]
        case .tooManyEntries: return [1, 0x80, 0x80, 0x40, 0x40, 4, 0, 0, 0x80, 0]
        case .hugeK: return [1, 3, 0x88, 0x27, 4, 0, 0x80, 0, 0]
        case .overlongVarint: return [1, 0x98, 0x00] + bytes[2...]
        case .varintPast32Bits: return [1, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F] + bytes[2...]
        case .ransLengthPastEnd: return [1, 3, 2, 0x7F, 1, 2, 3]
        case .ransTooShort: return [1, 3, 2, 2, 0x80, 0, 0xFF]
        case .lastByteDropped: bytes.removeLast()
        }
        return bytes
    }
}

struct LogitCodecRefusalTests {
    @Test func thePayloadUnderTestIsValid() throws {
        #expect(samplePayload[1] == 24 && samplePayload[2] == 4)
        expectFaithful(try decode(samplePayload, vocabularySize: 1000), sampleScores.scores, sampleScores.lossMask)
    }

    @Test(arguments: Damage.allCases)
    func damagedPayloadsAreRefusedNamingTheProblem(damage: Damage) {
        let error = #expect(throws: LogitCacheError.self) { try decode(damage.bytes, vocabularySize: 1000) }
        #expect(error?.message.contains(damage.messageHolds) == true, "\(String(describing: error))")
    }

    @Test func everyTruncationIsRefused() {
        for length in 0..<samplePayload.count {
            #expect(throws: LogitCacheError.self) { try decode(Array(samplePayload[..<length]), vocabularySize: 1000) }
        }
    }

    @Test func idsOutsideTheVocabularyAreRefused() {
        let largest = (sampleScores.scores.ids + sampleScores.scores.topIDs.map(Int.init)).max()!
        #expect(throws: LogitCacheError.self) { try decode(samplePayload, vocabularySize: largest) }
    }

    /// Any byte flipped: an error or a record, never a crash or a hang.
    /// Flips in raw bits can decode to other values (the spill block's
    /// XXH3 catches those); most others break the rANS stream's end check.
    @Test func flippedBytesNeverCrash() {
        var refused = 0
        for index in samplePayload.indices {
            for mask in [UInt8(0x01), 0x80, 0xFF] {
                var bytes = samplePayload
                bytes[index] ^= mask
                if (try? decode(bytes, vocabularySize: 1000)) == nil { refused += 1 }
            }
        }
        #expect(refused > samplePayload.count)
    }

    /// Random bytes after a valid header: refused, never a crash.
    @Test func randomPayloadsAreRefused() {
        var random = SplitMix64(state: 42)
        for _ in 0..<300 {
            let body = (0..<random.below(80)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            let bytes: [UInt8] =
                [1, UInt8(1 + random.below(100)), UInt8(random.below(20)), UInt8(random.below(60))]
                + body
            #expect(throws: LogitCacheError.self) { try decode(bytes, vocabularySize: 1 << 20) }
        }
    }

    @Test(arguments: [
        ("loss mask", 1), ("gold log-probabilities", 2), ("log-sum-exps", 3), ("top ids", 4),
        ("top log-probabilities", 5), ("ids", 6), ("vocabulary", 7), ("NaN", 8), ("order", 9), ("positive", 10),
    ])
    func inconsistentScoresAreNotEncoded(what: String, variant: Int) {
        var scores = sampleScores.scores, mask = sampleScores.lossMask, vocabularySize = 1000
        switch variant {
        case 1: mask.removeLast()
        case 2: scores.goldLogProbabilities.append(-1)
        case 3: scores.logSumExps[3] = .infinity
        case 4: scores.topIDs[5] = 1000
        case 5: scores.topLogProbabilities.removeLast()
        case 6:
            scores = TokenScores(
                ids: [], topK: 0, goldLogProbabilities: [], logSumExps: [], topIDs: [],
                topLogProbabilities: [])
        case 7: vocabularySize = 0
        case 8: scores.goldLogProbabilities[2] = .nan
        case 9: scores.topLogProbabilities.swapAt(4, 7)
        default: scores.topLogProbabilities[0] = 0.5
        }
        #expect(throws: LogitCacheError.self, "\(what)") {
            try LogitCodec.encode(scores, lossMask: mask, vocabularySize: vocabularySize)
        }
    }

    @Test func refusalsAreDataErrors() {
        #expect(LogitCacheError.truncated(field: "K").exitCode.rawValue == 65)
        #expect(LogitCacheError.trailingBytes(count: 2).message.contains("2 unexpected bytes"))
    }
}

import Testing

@testable import Evolve

/// The journal block of one evaluation reads back to the bit, and anything
/// else is refused rather than replayed.
@Suite struct EvaluationRecordTests {
    static let record = EvaluationRecord(
        evaluation: 12, generation: 1, fitness: 1.0881234567890123, seconds: 16.25, setMeans: [1.1, 0.9],
        values: [0.1, -0.0, 1, .ulpOfOne])

    @Test func aPayloadReadsBackToTheBit() throws {
        let payload = Self.record.payload
        let read = try #require(payload.withUnsafeBytes { EvaluationRecord(payload: $0) })
        #expect(read == Self.record)
        #expect(read.values.map(\.bitPattern) == Self.record.values.map(\.bitPattern))
    }

    @Test func truncatedExtendedOrForeignPayloadsAreRefused() {
        let payload = Self.record.payload
        for bad in [Array(payload.dropLast()), payload + [0], [2, 0, 0, 0] + payload.dropFirst(4), []] {
            #expect(bad.withUnsafeBytes { EvaluationRecord(payload: $0) } == nil)
        }
    }
}

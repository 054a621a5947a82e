import Base

/// One finished evaluation of a search, as its journal keeps it: enough to
/// replay the search (the fitness, to the bit) and to write its history.
public struct EvaluationRecord: Sendable, Equatable {
    /// Place among the search's evaluations, from 0.
    public let evaluation: Int
    /// CMA-ES generation, from 0.
    public let generation: Int
    public let fitness: Double
    /// Wall time of the evaluation.
    public let seconds: Double
    /// Each fitness data set's mean negative log-likelihood.
    public let setMeans: [Double]
    /// The genome's values (the candidate CMA-ES asked for).
    public let values: [Double]

    public init(
        evaluation: Int, generation: Int, fitness: Double, seconds: Double, setMeans: [Double], values: [Double]
    ) {
        self.evaluation = evaluation
        self.generation = generation
        self.fitness = fitness
        self.seconds = seconds
        self.setMeans = setMeans
        self.values = values
    }

    static let version: UInt32 = 1

    /// The journal block's payload: little-endian integers and IEEE bits.
    var payload: [UInt8] {
        var bytes: [UInt8] = []
        func append<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
        append(Self.version)
        append(UInt64(evaluation))
        append(UInt64(generation))
        append(fitness.bitPattern)
        append(seconds.bitPattern)
        append(UInt32(setMeans.count))
        for mean in setMeans { append(mean.bitPattern) }
        append(UInt32(values.count))
        for value in values { append(value.bitPattern) }
        return bytes
    }

    /// Reads a payload; nil when it is not one this version wrote.
    init?(payload: UnsafeRawBufferPointer) {
        var cursor = 0
        func read<T: FixedWidthInteger>(_: T.Type) -> T? {
            guard cursor + MemoryLayout<T>.size <= payload.count else { return nil }
            defer { cursor += MemoryLayout<T>.size }
            return T(littleEndian: payload.loadUnaligned(fromByteOffset: cursor, as: T.self))
        }
        func doubles() -> [Double]? {
            guard let count = read(UInt32.self), Int(count) * 8 <= payload.count - cursor else { return nil }
            var values: [Double] = []
            for _ in 0..<count {
                guard let bits = read(UInt64.self) else { return nil }
                values.append(Double(bitPattern: bits))
            }
            return values
        }
        guard read(UInt32.self) == Self.version, let evaluation = read(UInt64.self),
            let generation = read(UInt64.self), let fitness = read(UInt64.self), let seconds = read(UInt64.self),
            evaluation < 1 << 40, generation < 1 << 40, let setMeans = doubles(), let values = doubles(),
            cursor == payload.count
        else { return nil }
        self.init(
            evaluation: Int(evaluation), generation: Int(generation), fitness: Double(bitPattern: fitness),
            seconds: Double(bitPattern: seconds), setMeans: setMeans, values: values)
    }
}

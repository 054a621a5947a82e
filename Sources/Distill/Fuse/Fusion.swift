import Base

/// How the teachers of a record become one distribution (`--fusion`).
public enum FusionMethod: String, Sendable, CaseIterable {
    /// The teacher with the lowest cross-entropy on the record.
    case minCE
    /// Every teacher, weighted by softmax(−cross-entropy).
    case avgCE

    /// The weight of each teacher for cross-entropies `entropies` (an
    /// infinite one, a teacher with no loss position, weighs nothing
    /// unless all are).
    public func weights(_ entropies: [Double]) -> [Double] {
        guard !entropies.isEmpty else { return [] }
        let finite = entropies.filter(\.isFinite)
        guard let lowest = finite.min() else {
            return self == .minCE
                ? entropies.indices.map { $0 == 0 ? 1 : 0 } : entropies.map { _ in 1 / Double(entropies.count) }
        }
        switch self {
        case .minCE:
            let chosen = entropies.firstIndex(of: lowest) ?? 0  // checked: lowest is one of them
            return entropies.indices.map { $0 == chosen ? 1 : 0 }
        case .avgCE:
            let raw = entropies.map { $0.isFinite ? PortableMath.exp(lowest - $0) : 0 }
            let sum = raw.reduce(0, +)
            return raw.map { $0 / sum }
        }
    }
}

/// The fused distribution of every target position of a record: the
/// weighted sum of the teachers' aligned distributions, each row sorted
/// by probability, highest first (ties: the smaller id first).
public struct FusedDistributions: Sendable {
    public var rowStarts: [Int] = [0]
    public var ids: [Int32] = []
    public var probabilities: [Double] = []
    /// The natural logarithms of `probabilities`.
    public var logProbabilities: [Double] = []

    public func row(_ position: Int) -> Range<Int> { rowStarts[position]..<rowStarts[position + 1] }

    public init(_ teachers: [AlignedDistributions], weights: [Double]) {
        if let chosen = weights.firstIndex(of: 1) {
            self.init(only: teachers[chosen])
        } else {
            self.init(merging: teachers, weights: weights)
        }
    }

    private init(merging teachers: [AlignedDistributions], weights: [Double]) {
        let n = teachers.first?.count ?? 0
        var merged: [(id: Int32, probability: Double)] = []
        for position in 0..<n {
            merged.removeAll(keepingCapacity: true)
            for (teacher, weight) in zip(teachers, weights) where weight > 0 {
                for entry in teacher.row(position) {
                    let id = teacher.ids[entry], probability = weight * teacher.probabilities[entry]
                    if let index = merged.firstIndex(where: { $0.id == id }) {
                        merged[index].probability += probability
                    } else {
                        merged.append((id, probability))
                    }
                }
            }
            merged.sort { $0.probability != $1.probability ? $0.probability > $1.probability : $0.id < $1.id }
            for entry in merged {
                ids.append(entry.id)
                probabilities.append(entry.probability)
                logProbabilities.append(PortableMath.log(entry.probability))
            }
            rowStarts.append(ids.count)
        }
    }

    /// One teacher's rows, each sorted.
    private init(only teacher: AlignedDistributions) {
        var order: [Int] = []
        for position in 0..<teacher.count {
            order.removeAll(keepingCapacity: true)
            order += teacher.row(position)
            order.sort {
                let (a, b) = (teacher.probabilities[$0], teacher.probabilities[$1])
                return a != b ? a > b : teacher.ids[$0] < teacher.ids[$1]
            }
            for slot in order {
                ids.append(teacher.ids[slot])
                probabilities.append(teacher.probabilities[slot])
                logProbabilities.append(teacher.logProbabilities[slot])
            }
            rowStarts.append(ids.count)
        }
    }

    /// Where `id` is in row `position`, if it is.
    public func slot(of id: Int32, at position: Int) -> Int? {
        for entry in row(position) where ids[entry] == id { return entry }
        return nil
    }
}

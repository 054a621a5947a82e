import Base
import Model

/// The settings of a fusion (`smelt fuse`).
public struct FuseOptions: Sendable, Equatable {
    public var alignment: AlignmentMethod = .offsets
    public var mapping: VocabularyMapping = .exact
    public var method: FusionMethod = .minCE
    /// Entries per position of the fused cache.
    public var topK: Int = 10
    /// Half-width of the DTW band, in tokens.
    public var band: Int = DTWTokenAlignment.defaultBand

    public init() {}
}

/// One teacher of a record: its tokens (nil for the target's own cache),
/// its cached distributions, and its vocabulary map.
public struct TeacherRecord: Sendable {
    public let tokens: FusionTokens?
    public let record: CachedRecord
    public let bytes: VocabularyBytes?
    public let map: VocabularyMap

    public init(tokens: FusionTokens?, record: CachedRecord, bytes: VocabularyBytes?, map: VocabularyMap) {
        self.tokens = tokens
        self.record = record
        self.bytes = bytes
        self.map = map
    }

    /// Mean negative gold log-probability over the cache's loss positions;
    /// infinite when it has none.
    public var crossEntropy: Double {
        var sum = 0.0, count = 0
        for (position, counts) in record.lossMask.enumerated() where counts {
            sum -= Double(record.goldLogProbabilities[position])
            count += 1
        }
        return count > 0 ? sum / Double(count) : .infinity
    }
}

/// Fuses one record: aligns each teacher to the target, maps and
/// renormalises its distributions, weighs the teachers, and notes what
/// happened. A pure function of its inputs.
public enum RecordFusion {
    public static func align(
        target: FusionTokens, targetBytes: VocabularyBytes, teacher: TeacherRecord, options: FuseOptions
    ) -> TokenAlignment {
        guard let tokens = teacher.tokens, let bytes = teacher.bytes,
            !sameTokens(target, targetBytes, tokens, bytes)
        else { return AlignedDistributions.diagonal(target.count) }
        switch options.alignment {
        case .offsets: return OffsetAlignment.align(target: target, teacher: tokens)
        case .dtw:
            return DTWTokenAlignment.align(
                target: target, targetBytes: targetBytes, teacher: tokens, teacherBytes: bytes, map: teacher.map,
                band: options.band)
        }
    }

    /// Whether the teacher read the record as the very same tokens: equal
    /// ids standing for equal bytes, as with a fine-tune of the target
    /// rendered by the same template. Its position i has then read exactly
    /// the target's prefix, template tokens included, so the alignment is
    /// the diagonal, which also covers the positions outside content
    /// pieces (the turn's first token and its end) that an alignment over
    /// content alone must leave to the gold token.
    static func sameTokens(
        _ target: FusionTokens, _ targetBytes: VocabularyBytes, _ teacher: FusionTokens, _ teacherBytes: VocabularyBytes
    ) -> Bool {
        target.ids == teacher.ids && target.ids.allSatisfy { targetBytes[$0] == teacherBytes[$0] }
    }

    public static func fuse(
        ordinal: Int, target: FusionTokens, targetBytes: VocabularyBytes, lossMask: [Bool],
        teachers: [TeacherRecord], options: FuseOptions
    ) -> (fused: FusedDistributions, note: FusionNote) {
        var distributions: [AlignedDistributions] = []
        var alignments: [TokenAlignment] = []
        for teacher in teachers {
            let alignment = align(target: target, targetBytes: targetBytes, teacher: teacher, options: options)
            alignments.append(alignment)
            distributions.append(
                AlignedDistributions(
                    targetIDs: target.ids, alignment: alignment, teacher: teacher.record, map: teacher.map))
        }
        let entropies = teachers.map(\.crossEntropy)
        let weights = options.method.weights(entropies)
        let fused = FusedDistributions(distributions, weights: weights)
        var note = FusionNote(ordinal: ordinal, lossPositions: 0, teachers: [])
        note.lossPositions = lossMask.reduce(0) { $0 + ($1 ? 1 : 0) }
        for index in teachers.indices {
            let distribution = distributions[index], alignment = alignments[index]
            var entry = FusionNote.Teacher(
                crossEntropy: entropies[index], weight: weights[index], oneToOne: 0, aligned: 0, fallback: 0,
                droppedMass: 0, divergence: 0)
            for (position, counts) in lossMask.enumerated() where counts {
                if alignment.oneToOne[position] >= 0 { entry.oneToOne += 1 }
                if distribution.isAligned[position] { entry.aligned += 1 } else { entry.fallback += 1 }
                entry.droppedMass += distribution.droppedMass[position]
                // The fused rows are this teacher's own: no divergence.
                if weights[index] == 1 { continue }
                for slot in distribution.row(position) {
                    let p = distribution.probabilities[slot]
                    guard p > 0 else { continue }
                    let logQ = fused.slot(of: distribution.ids[slot], at: position).map {
                        fused.probabilities[$0] >= FusionNote.klFloor ? fused.logProbabilities[$0] : Self.logKLFloor
                    }
                    entry.divergence += p * (distribution.logProbabilities[slot] - (logQ ?? Self.logKLFloor))
                }
            }
            note.teachers.append(entry)
        }
        for (position, counts) in lossMask.enumerated() where counts {
            if !zip(distributions, weights).contains(where: { $0.isAligned[position] && $1 > 0 }) { note.fallback += 1 }
        }
        return (fused, note)
    }

    /// The fused record as cache scores: per position the `topK` most
    /// probable ids with their log-probabilities (fewer entries padded
    /// with the smallest unused ids at the floor log-probability, −32,768,
    /// which is probability 0), the gold token's log-probability (the
    /// floor when the fused row lacks it), and a log-sum-exp of 0: the
    /// rows are probabilities already.
    public static func scores(targetIDs: [Int32], fused: FusedDistributions, topK: Int) -> TokenScores {
        let n = targetIDs.count
        var topIDs: [Int32] = [], topLogProbabilities: [Double] = [], gold: [Double] = []
        topIDs.reserveCapacity(n * topK)
        topLogProbabilities.reserveCapacity(n * topK)
        for position in 0..<n {
            let row = fused.row(position)
            let kept = row.prefix(topK)
            for slot in kept {
                topIDs.append(fused.ids[slot])
                topLogProbabilities.append(max(fused.logProbabilities[slot], floorLogProbability))
            }
            var candidate: Int32 = 0
            for _ in kept.count..<topK {
                while fused.ids[kept].contains(candidate) { candidate += 1 }
                topIDs.append(candidate)
                topLogProbabilities.append(floorLogProbability)
                candidate += 1
            }
            if position + 1 < n {
                let slot = fused.slot(of: targetIDs[position + 1], at: position)
                gold.append(slot.map { max(fused.logProbabilities[$0], floorLogProbability) } ?? floorLogProbability)
            }
        }
        return TokenScores(
            ids: targetIDs.map { Int($0) }, topK: topK, goldLogProbabilities: gold,
            logSumExps: [Double](repeating: 0, count: n), topIDs: topIDs, topLogProbabilities: topLogProbabilities)
    }

    /// The lowest log-probability a cache stores: probability 0.
    public static let floorLogProbability = -32_768.0
    static let logKLFloor = PortableMath.log(FusionNote.klFloor)
}

import Base
import Checkpoint
import Synchronization

/// The last line of defence against a merge that makes NaNs or infinities
/// (DESIGN.md, principle 7: never a silently wrong result): an output chunk
/// holding one stops the run before it is retired, so before anything is
/// published, unless the tensor's inputs hold one too (what the method did
/// with them is then the recipe's business, as in mergekit).
///
/// Per chunk it costs one vector pass over the encoded bytes, which are in
/// the core's cache on their way to the digest. The inputs are looked at
/// only when an output chunk holds a non-finite value, over the whole
/// tensor: methods with statistics (TIES's top-k, SLERP's angle) spread
/// one input NaN over every chunk.
final class NonFiniteGuard: Sendable {
    /// Whether each tensor's inputs hold a non-finite value, by plan index,
    /// once a chunk has asked.
    private let inputsHoldNonFinite = Mutex<[Int: Bool]>([:])

    /// Elements decoded at a time when the inputs are scanned.
    static let scanElementCount = 1 << 16

    /// Throws `MergeError.nonFiniteOutput` when `bytes`, the output of
    /// `item` in its dtype, hold a NaN or an infinity that the tensor's
    /// inputs do not.
    func check(
        _ bytes: UnsafeRawBufferPointer, of item: WorkItem, in prepared: PreparedTensor, stagingPath: String
    ) throws {
        let dtype = prepared.tensor.outputDType
        guard dtype.containsNonFinite(bytes), case .merge = prepared.tensor.work else { return }
        if try inputsHoldNonFinite(prepared) { return }
        let (count, first) = dtype.nonFiniteElements(bytes)
        throw MergeError.nonFiniteOutput(
            tensor: prepared.tensor.name, count: count, element: item.range.lowerBound + (first?.index ?? 0),
            value: first.map { $0.value.isNaN ? "nan" : "\($0.value)" } ?? "a non-finite value",
            stagingPath: stagingPath)
    }

    private func inputsHoldNonFinite(_ prepared: PreparedTensor) throws -> Bool {
        if let known = inputsHoldNonFinite.withLock({ $0[prepared.index] }) { return known }
        // Two workers may both scan one tensor; they find the same answer.
        var found = false
        for source in prepared.tensor.sources where !found {
            found = try Self.holdsNonFinite(source)
        }
        inputsHoldNonFinite.withLock { $0[prepared.index] = found }
        return found
    }

    /// Decodes `source` a piece at a time (whole encoding blocks) and looks
    /// for a NaN or an infinity among the values the kernels would see.
    static func holdsNonFinite(_ source: TensorSource) throws -> Bool {
        let info = source.reader.tensorInfos[source.tensorIndex]
        let block = max(1, info.blockElementCount)
        let piece = max(block, scanElementCount / block * block)
        let values = UnsafeMutableBufferPointer<Float>.allocate(capacity: piece)
        let scratch = UnsafeMutableRawBufferPointer.allocate(
            byteCount: max(1, info.scratchBytes(forElements: piece)), alignment: 64)
        defer {
            values.deallocate()
            scratch.deallocate()
        }
        var start = 0
        while start < info.elementCount {
            let range = start..<min(info.elementCount, start + piece)
            let decoded = UnsafeMutableBufferPointer(rebasing: values[0..<range.count])
            try source.reader.decode(tensor: source.tensorIndex, elements: range, into: decoded, scratch: scratch)
            if decoded.contains(where: { !$0.isFinite }) { return true }
            start = range.upperBound
        }
        return false
    }
}

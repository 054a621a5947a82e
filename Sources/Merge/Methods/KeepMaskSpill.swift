import Base
import CKernels
import Synchronization

/// DELLA's keep decisions for a tensor, made once in its rescale pass and
/// read back in its final pass instead of ranking every row again (the
/// ranking is most of DELLA's time). One bit per element per model, in
/// spill blocks (DESIGN.md, "Spill blocks": LZ4, XXH3-checked) in hidden
/// files of the staging folder, removed with the tensor's kernel. Purely a
/// shortcut: a decision that was not stored or does not read back is made
/// again, with the same result, so no failure here changes a byte.
final class KeepMaskSpill: @unchecked Sendable {
    private let pathPrefix: String
    private let modelCount: Int
    /// Writers not in use, and how many files exist.
    private let writers = Mutex<(idle: [Int: Writer], fileCount: Int)>(([:], 0))
    /// A file's writer, used by one worker at a time (taken from `idle`).
    private final class Writer: @unchecked Sendable {
        let spill: SpillWriter
        init(_ spill: SpillWriter) { self.spill = spill }
    }
    /// Where each (chunk, model) mask is: file number and block offset.
    private let locations = Mutex<[Int: (file: Int, offset: UInt64)]>([:])
    private let failed = Atomic<Bool>(false)

    private static let nextNumber = Atomic<Int>(0)

    init(folder: String, modelCount: Int) {
        let number = Self.nextNumber.wrappingAdd(1, ordering: .relaxed).oldValue
        pathPrefix = folder + "/.keep-masks-\(number)-"
        self.modelCount = modelCount
    }

    deinit {
        for file in 0..<writers.withLock({ $0.fileCount }) { try? FileSystem.removeFile(path(file)) }
    }

    private func path(_ file: Int) -> String { pathPrefix + "\(file).spill" }

    /// Stores the decisions `keep` (0 or not) of `model` in chunk `chunkIndex`.
    func store(chunkIndex: Int, model: Int, keep: UnsafeBufferPointer<Float>) {
        guard !failed.load(ordering: .relaxed) else { return }
        let count = keep.count
        let bits = [UInt8](unsafeUninitializedCapacity: (count + 7) / 8) { bytes, initialized in
            if count > 0 { smelt_pack_nonzero(keep.baseAddress!, bytes.baseAddress!, count) }  // checked: count > 0
            initialized = (count + 7) / 8
        }
        let (file, writer) = writers.withLock { state -> (Int, Writer?) in
            if let (file, writer) = state.idle.first {
                state.idle[file] = nil
                return (file, writer)
            }
            state.fileCount += 1
            return (state.fileCount - 1, nil)
        }
        do {
            let writer = try writer ?? Writer(SpillWriter(path: path(file)))
            let offset = try writer.spill.append(bits)
            locations.withLock { $0[chunkIndex * modelCount + model] = (file, offset) }
            writers.withLock { $0.idle[file] = writer }
        } catch {
            failed.store(true, ordering: .relaxed)
        }
    }

    /// Writes the stored decisions of `model` in chunk `chunkIndex` into
    /// `keep` as 1 or 0; false when there are none to read.
    func load(chunkIndex: Int, model: Int, into keep: UnsafeMutableBufferPointer<Float>) -> Bool {
        guard !failed.load(ordering: .relaxed),
            let location = locations.withLock({ $0[chunkIndex * modelCount + model] }),
            let bits = try? SpillReader(path: path(location.file)).payload(at: location.offset),
            bits.count == (keep.count + 7) / 8
        else { return false }
        bits.withUnsafeBufferPointer { bytes in
            if let values = keep.baseAddress, let packed = bytes.baseAddress {
                smelt_unpack_bits(packed, values, keep.count)
            }
        }
        return true
    }
}

import Base
import Checkpoint
import Synchronization

/// The per-block sums of a reduction pass kept in a spill file instead of
/// memory, for passes whose sums outgrow the budget: nuslerp's column mode
/// keeps three sums per column per 65,536-element block, about 3 GB for a
/// 128k × 8192 embedding. Workers append each chunk's sums as one spill
/// block (DESIGN.md, "Spill blocks"); the totals are then read back in
/// chunk order and added in exactly the order the in-memory pass uses
/// (per quantity, block by block), so the output bytes do not depend on
/// which path ran. The file is hidden in the staging folder and removed
/// when the pass ends.
final class BlockSumSpill: Sendable {
    /// Where each chunk's sums are: which worker's file, at which offset.
    private struct Location: Sendable {
        let worker: Int
        let offset: UInt64
    }

    private let pathPrefix: String
    private let locations: Mutex<[Location?]>
    private let workerCount: Mutex<Int>

    private static let nextNumber = Atomic<Int>(0)

    init(folder: String, chunkCount: Int) {
        let number = Self.nextNumber.wrappingAdd(1, ordering: .relaxed).oldValue
        pathPrefix = folder + "/.reduction-\(number)-worker-"
        locations = Mutex(Array(repeating: nil, count: chunkCount))
        workerCount = Mutex(0)
    }

    deinit {
        for worker in 0..<workerCount.withLock({ $0 }) { try? FileSystem.removeFile(path(worker)) }
    }

    private func path(_ worker: Int) -> String { pathPrefix + "\(worker).spill" }

    /// One worker's file: each worker appends to its own, so no writer is shared.
    final class WorkerFile {
        let worker: Int
        let writer: SpillWriter

        fileprivate init(worker: Int, path: String) throws {
            self.worker = worker
            writer = try SpillWriter(path: path)
        }
    }

    func makeWorkerFile() throws -> WorkerFile {
        let worker = workerCount.withLock { count in
            count += 1
            return count - 1
        }
        return try WorkerFile(worker: worker, path: path(worker))
    }

    /// Stores chunk `chunkIndex`'s sums (quantity-major, block-minor).
    func append(chunkIndex: Int, sums: UnsafeBufferPointer<Double>, to file: WorkerFile) throws {
        let offset = try file.writer.append(UnsafeRawBufferPointer(sums))
        locations.withLock { $0[chunkIndex] = Location(worker: file.worker, offset: offset) }
    }

    /// Per quantity, the sum of every block in block order.
    func totals(quantityCount: Int, blocksInChunk: [Int]) throws -> [Double] {
        let found = locations.withLock { $0 }
        var readers: [Int: SpillReader] = [:]
        var totals = [Double](repeating: 0, count: quantityCount)
        for (chunk, blocks) in blocksInChunk.enumerated() {
            guard let location = found[chunk] else {
                throw SpillError.corruptBlock(
                    path: pathPrefix, offset: 0, problem: "chunk \(chunk)'s sums were never written")
            }
            if readers[location.worker] == nil {
                readers[location.worker] = try SpillReader(path: path(location.worker))
            }
            let reader = readers[location.worker]!  // checked: set just above
            let payload = try reader.payload(at: location.offset)
            guard payload.count == quantityCount * blocks * 8 else {
                throw SpillError.corruptBlock(
                    path: reader.path, offset: location.offset,
                    problem: "\(payload.count) bytes where chunk \(chunk)'s sums take \(quantityCount * blocks * 8)")
            }
            payload.withUnsafeBytes { bytes in
                for quantity in 0..<quantityCount {
                    for block in 0..<blocks {
                        totals[quantity] += bytes.loadUnaligned(
                            fromByteOffset: (quantity * blocks + block) * 8, as: Double.self)
                    }
                }
            }
        }
        return totals
    }
}

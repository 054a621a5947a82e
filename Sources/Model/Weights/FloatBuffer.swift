import Base

/// Float32 storage drawn from the run's `ByteBudget` and given back when
/// the buffer goes away, so the budget counts every buffer that grows with
/// the model or the batch.
public final class FloatBuffer: @unchecked Sendable {
    // @unchecked: workers write disjoint ranges between barriers (one tile,
    // one head, one row each); nothing else mutates the storage.
    public let count: Int
    public let pointer: UnsafeMutablePointer<Float>
    private let reservation: ByteReservation

    /// Reserves `count` floats for `purpose`, zero-filled.
    public init(count: Int, budget: ByteBudget, purpose: String) throws(ByteBudgetError) {
        reservation = try budget.reserve(UInt64(max(count, 1)) * 4, purpose: purpose)
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }

    deinit { pointer.deallocate() }

    public var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: pointer, count: count) }
}

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

    /// Reserves `count` floats for `purpose`, zero-filled unless `zeroed` is
    /// false (for a caller that writes every float before reading any). A
    /// request that does not fit now is refused rather than awaited: the
    /// forward pass holds its buffers until it ends, so waiting could only
    /// deadlock.
    public init(count: Int, budget: ByteBudget, purpose: String, zeroed: Bool = true) throws(ByteBudgetError) {
        let bytes = UInt64(max(count, 1)) * 4
        guard let reservation = budget.tryReserve(bytes, purpose: purpose) else {
            throw ByteBudgetError(
                purpose: purpose, requestedBytes: bytes, limitBytes: budget.limitBytes, heldBytes: budget.reservedBytes)
        }
        self.reservation = reservation
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
        if zeroed { pointer.initialize(repeating: 0, count: max(count, 1)) }
    }

    deinit { pointer.deallocate() }

    public var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: pointer, count: count) }
}

import CSystemShims
#if canImport(Glibc)
import Glibc
#endif

/// A whole file mapped read-only. Mapping costs address space, not memory:
/// pages come in as they are touched and `release` hands them back, so a
/// process can walk a 100 GB shard with a few megabytes resident
/// (DESIGN.md, principle 2). A fault in the mapping (the file shrank under
/// us) is reported by the SIGBUS handler with this file's path.
public final class MappedFile: @unchecked Sendable {
    // @unchecked Sendable: the mapping is read-only and never moves or
    // changes length while this object lives; readers only load from it.
    public let path: String
    public let size: UInt64
    private let base: UnsafeRawPointer?
    private let signalSlot: Int32

    /// Maps all of `file`; `size` is the length checked against the header.
    public init(_ file: OpenFile) throws(SystemError) {
        path = file.path
        size = try file.status().size
        guard size > 0 else {
            base = nil
            signalSlot = -1
            return
        }
        guard let length = Int(exactly: size) else { throw SystemError(call: "mmap", path: path, errno: EFBIG) }
        let address = mmap(nil, length, PROT_READ, MAP_SHARED, file.descriptor, 0)
        guard let address, address != MAP_FAILED else {
            throw SystemError(call: "mmap", path: path, errno: errno)
        }
        base = UnsafeRawPointer(address)
        signalSlot = smelt_register_mapping(address, length, path)
    }

    deinit {
        smelt_unregister_mapping(signalSlot)
        if let base { munmap(UnsafeMutableRawPointer(mutating: base), Int(size)) }
    }

    /// Calls `body` with the bytes in `range` (already checked to lie inside
    /// the file). The pointer must not escape `body`.
    public func withBytes<T, E: Error>(
        in range: Range<UInt64>, _ body: (UnsafeRawBufferPointer) throws(E) -> T
    ) throws(E) -> T {
        guard let base, !range.isEmpty else { return try body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        return try body(UnsafeRawBufferPointer(start: base + Int(range.lowerBound), count: range.count))
    }

    /// Drops this process's pages of `range`, rounded outward to whole
    /// pages (harmless for a read-only file mapping: a later read faults the
    /// page back in from the page cache), so resident memory stays bounded.
    public func release(_ range: Range<UInt64>) {
        guard let base, !range.isEmpty else { return }
        let page = UInt64(pageSize)
        let start = range.lowerBound / page * page
        let end = min(size, (range.upperBound + page - 1) / page * page)
        guard start < end else { return }
        madvise(UnsafeMutableRawPointer(mutating: base + Int(start)), Int(end - start), MADV_DONTNEED)
    }
}

/// The system page size in bytes.
public let pageSize: Int = Int(sysconf(Int32(_SC_PAGESIZE)))

/// Installs the SIGBUS handler that turns a fault in a mapped file into one
/// error line naming the file and exit status `exitCode`.
public func installMappedFileFaultHandler(exitCode: Int32) {
    smelt_install_sigbus_handler(exitCode)
}

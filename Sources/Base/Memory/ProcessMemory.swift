/// This process's resident memory as the kernel counts it
/// (`/proc/self/status`): what `--memory-budget` promises to bound.
public enum ProcessMemory {
    /// Resident bytes now (VmRSS); nil where /proc is not mounted.
    public static var residentBytes: UInt64? { statusField("VmRSS:") }

    /// The most resident bytes so far (VmHWM, the high-water mark).
    public static var peakResidentBytes: UInt64? { statusField("VmHWM:") }

    /// A `kB` field of /proc/self/status, in bytes.
    private static func statusField(_ name: String) -> UInt64? {
        guard let bytes = try? FileSystem.readUntilEnd("/proc/self/status", limit: 1 << 16) else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(name) }) else { return nil }
        let digits = line.dropFirst(name.count).filter { $0.isASCII && $0.isNumber }
        return UInt64(digits).map { $0 * 1024 }
    }
}

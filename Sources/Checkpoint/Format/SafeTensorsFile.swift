import Base
/// A safetensors file, memory-mapped and validated. The header is parsed
/// from the mapping; tensor data is only touched when asked for.
public final class SafeTensorsFile: Sendable {
    public let path: String
    public let size: UInt64
    public let header: SafeTensorsHeader
    public let mapping: MappedFile
    /// The open file, for reads that stream past the mapping (digests).
    public let file: OpenFile
    /// The tensors as `TensorReader` describes them, in file order.
    public let tensorInfos: [TensorInfo]

    /// Opens, maps and validates `path`. System failures (and a path that
    /// is not a regular file) throw `SystemError`; a malformed file throws
    /// `CheckpointError`.
    public init(path: String) throws {
        self.path = path
        let file = try OpenFile.forReading(path)
        self.file = file
        let mapping = try MappedFile(file)
        self.mapping = mapping
        size = mapping.size
        header = try mapping.withBytes(in: 0..<min(size, 8)) { (prefix) throws(CheckpointError) in
            let length = try SafeTensorsHeader.headerLength(file: path, prefix: prefix, fileSize: mapping.size)
            return try mapping.withBytes(in: 8..<(8 + length)) { (json) throws(CheckpointError) in
                try SafeTensorsHeader.parse(file: path, headerBytes: json, dataSize: mapping.size - 8 - length)
            }
        }
        mapping.release(0..<header.dataStart)
        tensorInfos = Self.tensorInfos(of: header)
    }

    /// The byte range of the header in the file (length prefix, JSON, padding).
    public var headerRange: Range<UInt64> { 0..<header.dataStart }

    /// The byte range of `tensor` in the file.
    public func fileRange(of tensor: TensorEntry) -> Range<UInt64> {
        (header.dataStart + tensor.dataRange.lowerBound)..<(header.dataStart + tensor.dataRange.upperBound)
    }

    /// The tensor called `name`, if this file stores it.
    public func tensor(named name: String) -> TensorEntry? {
        header.tensors.first { $0.name == name }
    }
}

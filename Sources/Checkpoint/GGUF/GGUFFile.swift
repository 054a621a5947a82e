import Base

/// A GGUF file, validated, read through `TensorReader`. The header is
/// parsed from a mapping that is dropped once parsed; tensor data is read
/// with `pread`, a block range at a time, and dequantized to Float32.
public final class GGUFFile: TensorReader, Sendable {
    public let path: String
    public let size: UInt64
    public let header: GGUFHeader
    /// The open file, for reads of tensor data.
    public let file: OpenFile
    /// The tensors as `TensorReader` describes them, in file order: shapes
    /// row-major (ggml's dimensions reversed), dtype only for the plain types.
    public let tensorInfos: [TensorInfo]

    /// Opens and validates `path`. System failures (and a path that is not
    /// a regular file) throw `SystemError`; a malformed file `GGUFError`.
    public init(path: String) throws {
        self.path = path
        let file = try OpenFile.forReading(path)
        self.file = file
        let mapping = try MappedFile(file)
        size = mapping.size
        header = try mapping.withBytes(in: 0..<mapping.size) { (bytes) throws(GGUFError) in
            try GGUFHeader.parse(file: path, fileBytes: bytes)
        }
        tensorInfos = header.tensors.map(Self.tensorInfo)
    }

    static func tensorInfo(_ tensor: GGUFTensorInfo) -> TensorInfo {
        TensorInfo(
            name: tensor.name, dtype: tensor.type.dtype, encodingName: tensor.type.name, shape: tensor.shape,
            elementCount: tensor.elementCount, byteCount: tensor.byteCount,
            blockElementCount: tensor.type.blockElementCount, blockByteCount: tensor.type.blockByteCount,
            isDecodable: tensor.type.isDecodable)
    }

    /// The tensor called `name`, with its index, if the file stores it.
    public func tensor(named name: String) -> (index: Int, info: GGUFTensorInfo)? {
        header.tensors.firstIndex { $0.name == name }.map { ($0, header.tensors[$0]) }
    }

    /// The byte range of tensor `index` in the file.
    public func fileRange(ofTensor index: Int) -> Range<UInt64> {
        let tensor = header.tensors[index]
        let start = header.dataStart + tensor.offset
        return start..<(start + tensor.byteCount)  // checked: the layout check keeps both inside the file
    }

    public func readRawBytes(
        ofTensor index: Int, _ range: Range<UInt64>, into destination: UnsafeMutableRawBufferPointer
    ) throws {
        try file.read(into: destination, at: fileRange(ofTensor: index).lowerBound + range.lowerBound)
    }

    /// Reads the blocks that hold `elements` into `scratch` and dequantizes
    /// them; `elements` starts on a block boundary and ends on one or at
    /// the tensor's end (every GGUF tensor is a whole number of blocks).
    public func decode(
        tensor index: Int, elements: Range<Int>, into destination: UnsafeMutableBufferPointer<Float>,
        scratch: UnsafeMutableRawBufferPointer
    ) throws {
        let tensor = header.tensors[index]
        let type = tensor.type
        guard type.isDecodable else {
            throw GGUFError(
                file: path, offset: fileRange(ofTensor: index).lowerBound,
                problem: .notSupportedYet(tensor: tensor.name, type: type))
        }
        // The TensorReader contract: ranges come from Smelt's own chunking, not from a file.
        precondition(  // checked: callers chunk by blockElementCount (chunkRanges, the converter)
            elements.lowerBound % type.blockElementCount == 0 && elements.count % type.blockElementCount == 0,
            "GGUF decode needs whole blocks")
        let start =
            fileRange(ofTensor: index).lowerBound
            + UInt64(elements.lowerBound / type.blockElementCount * type.blockByteCount)
        if type == .f32 {
            try file.read(into: UnsafeMutableRawBufferPointer(destination), at: start)
            #if _endian(big)
            for index in destination.indices {
                destination[index] = Float(bitPattern: UInt32(littleEndian: destination[index].bitPattern))
            }
            #endif
            return
        }
        let bytes = UnsafeMutableRawBufferPointer(
            rebasing: scratch[0..<elements.count / type.blockElementCount * type.blockByteCount])
        try file.read(into: bytes, at: start)
        _ = type.dequantize(UnsafeRawBufferPointer(bytes), into: destination)  // checked: isDecodable above
    }
}
